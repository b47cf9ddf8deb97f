package lambdarunner

import "github.com/apigw-local/apigw-local/lambdarunner/runtimeapi"

// PoolStats exposes a Runtime API function's pool to tests.
func (m *Manager) PoolStats(name string) runtimeapi.Stats {
	f := (*m.functions.Load())[name]
	if f == nil || f.pool == nil {
		return runtimeapi.Stats{}
	}
	return f.pool.Stats()
}

// PIDs returns the process ids of every environment, for resource reports.
func (m *Manager) PIDs() []int {
	var pids []int
	for _, f := range *m.functions.Load() {
		if f.pool != nil {
			pids = append(pids, f.pool.PIDs()...)
		}
	}
	return pids
}
