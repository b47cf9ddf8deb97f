package project

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Debounce is how long the watcher waits after the last change before acting: editors write
// a file in several steps.
const Debounce = 30 * time.Millisecond

// Event is what the watcher did after a change.
type Event struct {
	// Reloaded is set when the template (or a file it reads) changed and was applied.
	Reloaded *Plan
	// Recycled names the functions whose code changed and that now run the new code.
	Recycled []string
	// Err is what failed; the last good state keeps serving.
	Err error
	// Took is how long the reload or recycle took.
	Took time.Duration
}

// Watcher reloads a project when its template changes and recycles a function when its
// code changes, while the emulator serves.
type Watcher struct {
	load    func() (*Plan, error)
	applier *Applier
	report  func(Event)
	fs      *fsnotify.Watcher
	dirs    map[string]bool
}

// NewWatcher watches the applier's current plan. load reads the project again (with the
// options it was started with); report hears about every reload and recycle.
func NewWatcher(applier *Applier, load func() (*Plan, error), report func(Event)) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &Watcher{load: load, applier: applier, report: report, fs: fw, dirs: map[string]bool{}}
	w.sync(applier.Current())
	return w, nil
}

// Run watches until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	defer w.fs.Close()
	changed := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod || ignored(ev.Name) {
				continue
			}
			if ev.Op&fsnotify.Create != 0 {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() && w.underCode(ev.Name) {
					w.addTree(ev.Name)
				}
			}
			changed[ev.Name] = true
			timer.Reset(Debounce)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.report(Event{Err: err})
		case <-timer.C:
			w.handle(ctx, changed)
			changed = map[string]bool{}
		}
	}
}

// handle reloads or recycles for a batch of changed paths.
func (w *Watcher) handle(ctx context.Context, changed map[string]bool) {
	start := time.Now()
	cur := w.applier.Current()
	if cur == nil {
		return
	}
	reload := false
	for p := range changed {
		if slices.Contains(cur.Files, p) {
			reload = true
		}
	}
	var recycle []string
	for _, f := range cur.Functions {
		for p := range changed {
			switch {
			case slices.Contains(cur.Files, p):
				continue // the template is not code, even inside the code directory
			case p == f.Source && f.Source != f.Config.CodeDir:
				// A new zip: loading extracts it to a new directory.
				reload = true
			case p == f.Source || strings.HasPrefix(p, f.Source+string(filepath.Separator)):
				recycle = append(recycle, f.Config.Name)
			default:
				continue
			}
			break
		}
	}
	if reload {
		p, err := w.load()
		if err == nil {
			err = w.applier.Apply(ctx, p)
		}
		if err != nil {
			w.report(Event{Err: err, Took: time.Since(start)})
			return
		}
		w.sync(p)
		// Functions whose configuration changed were replaced by Apply; those whose code
		// changed under the same configuration still run the old code.
		recycle = slices.DeleteFunc(recycle, func(n string) bool {
			old, nf := cur.functionByName(n), p.functionByName(n)
			return nf == nil || old == nil || !equalConfig(old.Config, nf.Config)
		})
		if len(recycle) > 0 {
			err = w.applier.Recycle(ctx, recycle)
		}
		w.report(Event{Reloaded: p, Recycled: recycle, Err: err, Took: time.Since(start)})
		return
	}
	if len(recycle) == 0 {
		return
	}
	err := w.applier.Recycle(ctx, recycle)
	w.report(Event{Recycled: recycle, Err: err, Took: time.Since(start)})
}

// sync watches the directories of the plan's files and code.
func (w *Watcher) sync(p *Plan) {
	if p == nil {
		return
	}
	want := map[string]bool{}
	for _, f := range p.Files {
		want[filepath.Dir(f)] = true
	}
	for _, f := range p.Functions {
		fi, err := os.Stat(f.Source)
		if err != nil {
			continue
		}
		if !fi.IsDir() {
			want[filepath.Dir(f.Source)] = true
			continue
		}
		_ = filepath.WalkDir(f.Source, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if path != f.Source && skipDir(d.Name()) {
					return filepath.SkipDir
				}
				want[path] = true
			}
			return nil
		})
	}
	for d := range w.dirs {
		if !want[d] {
			_ = w.fs.Remove(d)
			delete(w.dirs, d)
		}
	}
	for d := range want {
		if !w.dirs[d] {
			if err := w.fs.Add(d); err == nil {
				w.dirs[d] = true
			}
		}
	}
}

// addTree watches a directory created under a code directory.
func (w *Watcher) addTree(root string) {
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if skipDir(d.Name()) {
			return filepath.SkipDir
		}
		if !w.dirs[path] && w.fs.Add(path) == nil {
			w.dirs[path] = true
		}
		return nil
	})
}

// underCode reports whether a path is inside a function's code directory.
func (w *Watcher) underCode(path string) bool {
	cur := w.applier.Current()
	if cur == nil {
		return false
	}
	for _, f := range cur.Functions {
		if strings.HasPrefix(path, f.Source+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// skipDir says which directories are never code: dependencies, caches, VCS, build output.
func skipDir(name string) bool {
	switch name {
	case "node_modules", "__pycache__", ".git", ".aws-sam", ".serverless", ".venv", "venv", ".pytest_cache":
		return true
	}
	return strings.HasPrefix(name, ".")
}

// ignored filters editor temporaries and interpreter caches.
func ignored(path string) bool {
	base := filepath.Base(path)
	return strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") ||
		strings.HasPrefix(base, ".#") || base == "4913" || strings.HasSuffix(base, ".pyc") ||
		strings.Contains(path, string(filepath.Separator)+"__pycache__"+string(filepath.Separator))
}
