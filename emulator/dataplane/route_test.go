package dataplane

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// tree compiles a deployment with one GET method on each path.
func tree(t *testing.T, paths ...string) *Deployment {
	t.Helper()
	snap := &store.Snapshot{}
	for i, p := range paths {
		snap.Resources = append(snap.Resources, &store.Resource{
			ID: string(rune('a' + i)), Path: p,
			Methods: map[string]*store.Method{"GET": {HTTPMethod: "GET", AuthorizationType: "NONE", Integration: &store.Integration{Type: "MOCK"}}},
		})
	}
	return Compile(snap, nil)
}

func TestRouteMatch(t *testing.T) {
	d := tree(t, "/", "/pets", "/pets/dog", "/pets/{id}", "/pets/{id}/toys", "/{proxy+}", "/files/{path+}", "/a/{x}/c", "/a/b/d")
	tests := []struct {
		name, path string
		want       string // resource path, "" for no match
		params     []Param
	}{
		{"root", "/", "/", nil},
		{"literal", "/pets", "/pets", nil},
		{"literal beats param", "/pets/dog", "/pets/dog", nil},
		{"param", "/pets/cat", "/pets/{id}", []Param{{Name: "id", Value: "cat"}}},
		{"param decoded", "/pets/a%20b", "/pets/{id}", []Param{{Name: "id", Value: "a b"}}},
		{"encoded slash stays one segment", "/pets/a%2Fb", "/pets/{id}", []Param{{Name: "id", Value: "a/b"}}},
		{"nested under param", "/pets/7/toys", "/pets/{id}/toys", []Param{{Name: "id", Value: "7"}}},
		{"trailing slash", "/pets/", "/pets", nil},
		{"trailing slash on param", "/pets/7/", "/pets/{id}", []Param{{Name: "id", Value: "7"}}},
		{"greedy at root", "/x/y/z", "/{proxy+}", []Param{{Name: "proxy", Value: "x/y/z"}}},
		{"greedy keeps encoding", "/x/a%2Bb", "/{proxy+}", []Param{{Name: "proxy", Value: "x/a%2Bb"}}},
		{"greedy keeps trailing slash", "/x/y/", "/{proxy+}", []Param{{Name: "proxy", Value: "x/y/"}}},
		{"greedy keeps double slash", "/x//y", "/{proxy+}", []Param{{Name: "proxy", Value: "x//y"}}},
		{"greedy below literal", "/files/a/b.txt", "/files/{path+}", []Param{{Name: "path", Value: "a/b.txt"}}},
		{"greedy needs a segment", "/files", "/{proxy+}", []Param{{Name: "proxy", Value: "files"}}},
		{"param beats greedy", "/pets/7", "/pets/{id}", []Param{{Name: "id", Value: "7"}}},
		{"backtrack from literal to param", "/a/b/c", "/a/{x}/c", []Param{{Name: "x", Value: "b"}}},
		{"deeper unmatched falls to greedy", "/pets/7/toys/1", "/{proxy+}", []Param{{Name: "proxy", Value: "pets/7/toys/1"}}},
		{"case sensitive", "/Pets", "/{proxy+}", []Param{{Name: "proxy", Value: "Pets"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, params := d.root.match(tt.path, nil)
			got := ""
			if r != nil {
				got = r.Path
			}
			if got != tt.want {
				t.Fatalf("match(%q) = %q, want %q", tt.path, got, tt.want)
			}
			if diff := cmp.Diff(tt.params, params); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRouteNoMatch(t *testing.T) {
	d := tree(t, "/pets", "/pets/{id}")
	for _, p := range []string{"/", "/dogs", "/pets/1/2", "/pets//1"} {
		if r, _ := d.root.match(p, nil); r != nil {
			t.Errorf("match(%q) = %q, want none", p, r.Path)
		}
	}
}

func BenchmarkRouteMatch(b *testing.B) {
	d := tree(&testing.T{}, "/", "/pets", "/pets/dog", "/pets/{id}", "/pets/{id}/toys", "/{proxy+}")
	params := make([]Param, 0, 4)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = d.root.match("/pets/42/toys", params[:0])
	}
}
