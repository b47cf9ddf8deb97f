package store

import (
	"regexp"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// pathPartRE is what AWS accepts as a path part: a literal, {name} or a greedy {name+}.
var pathPartRE = regexp.MustCompile(`^(?:[a-zA-Z0-9._:-]+|\{[a-zA-Z0-9._-]+\+?\})$`)

// IsVariable reports whether a path part is {name} or {name+}.
func IsVariable(part string) bool {
	return strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}")
}

// IsGreedy reports whether a path part is a greedy variable {name+}.
func IsGreedy(part string) bool { return strings.HasPrefix(part, "{") && strings.HasSuffix(part, "+}") }

func errResourceNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Resource identifier specified")
}

func (a *apiState) resource(id string) (*Resource, error) {
	r, ok := a.resources[id]
	if !ok {
		return nil, errResourceNotFound()
	}
	return r, nil
}

// checkChild applies AWS's rules for a new child pathPart under parent. self is the
// resource being renamed or moved ("" when creating).
func (a *apiState) checkChild(parent *Resource, pathPart, self string) error {
	if !pathPartRE.MatchString(pathPart) {
		return awserr.New(awserr.BadRequest, "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	if IsGreedy(parent.PathPart) {
		return awserr.New(awserr.BadRequest, "Cannot create a child of a resource with a greedy path variable: %s", parent.PathPart)
	}
	for _, r := range a.resources {
		if r.ParentID != parent.ID || r.ID == self {
			continue
		}
		if r.PathPart == pathPart {
			return awserr.New(awserr.Conflict, "Another resource with the same parent already has this name: %s", pathPart)
		}
		if IsVariable(r.PathPart) && IsVariable(pathPart) {
			return awserr.New(awserr.BadRequest, "A sibling (%s) of this resource already has a variable path part -- only one is allowed", r.PathPart)
		}
	}
	return nil
}

func joinPath(parent, part string) string {
	if parent == "/" {
		return "/" + part
	}
	return parent + "/" + part
}

// CreateResource adds a child resource.
func (s *Store) CreateResource(apiID, parentID, pathPart string) (*Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	parent, err := a.resource(parentID)
	if err != nil {
		return nil, err
	}
	if err := a.checkChild(parent, pathPart, ""); err != nil {
		return nil, err
	}
	r := &Resource{
		ID:       s.newID(6, func(id string) bool { _, ok := a.resources[id]; return ok }),
		ParentID: parentID,
		PathPart: pathPart,
		Path:     joinPath(parent.Path, pathPart),
	}
	a.resources[r.ID] = r
	s.seq.Add(1)
	return r.clone(), nil
}

// GetResource returns one resource with its methods.
func (s *Store) GetResource(apiID, id string) (*Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	r, err := a.resource(id)
	if err != nil {
		return nil, err
	}
	return r.clone(), nil
}

// ListResources returns one page of resources ordered by path, with their methods.
func (s *Store) ListResources(apiID, position string, limit int) ([]*Resource, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, "", err
	}
	all := a.sortedResources()
	page, next, err := paginate(all, position, limit, func(r *Resource) string { return r.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]*Resource, len(page))
	for i, r := range page {
		out[i] = r.clone()
	}
	return out, next, nil
}

func (a *apiState) sortedResources() []*Resource {
	all := make([]*Resource, 0, len(a.resources))
	for _, r := range a.resources {
		all = append(all, r)
	}
	slices.SortFunc(all, func(x, y *Resource) int { return strings.Compare(x.Path, y.Path) })
	return all
}

// UpdateResource renames (/pathPart) or moves (/parentId) a resource and its subtree.
func (s *Store) UpdateResource(apiID, id string, ops []PatchOp) (*Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	r, err := a.resource(id)
	if err != nil {
		return nil, err
	}
	if err := checkOps(ops, "updateResourceInput"); err != nil {
		return nil, err
	}
	parentID, pathPart := r.ParentID, r.PathPart
	for _, op := range ops {
		if op.Op != "replace" {
			return nil, awserr.New(awserr.BadRequest, "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
		}
		switch op.Path {
		case "/pathPart":
			pathPart = op.value()
		case "/parentId":
			parentID = op.value()
		default:
			return nil, awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
		}
	}
	if r.ParentID == "" && (pathPart != r.PathPart || parentID != r.ParentID) {
		return nil, awserr.New(awserr.BadRequest, "Root resource cannot update its pathPart.")
	}
	if r.ParentID != "" {
		parent, err := a.resource(parentID)
		if err != nil {
			return nil, err
		}
		for p := parent; p != nil; p = a.resources[p.ParentID] {
			if p.ID == r.ID {
				return nil, awserr.New(awserr.BadRequest, "Cannot move a resource below itself")
			}
		}
		if err := a.checkChild(parent, pathPart, r.ID); err != nil {
			return nil, err
		}
		if pathPart != r.PathPart || parentID != r.ParentID {
			r.PathPart, r.ParentID = pathPart, parentID
			a.repath(r, parent.Path)
		}
	}
	s.seq.Add(1)
	return r.clone(), nil
}

// repath recomputes the paths of r and its descendants.
func (a *apiState) repath(r *Resource, parentPath string) {
	r.Path = joinPath(parentPath, r.PathPart)
	for _, c := range a.resources {
		if c.ParentID == r.ID {
			a.repath(c, r.Path)
		}
	}
}

// DeleteResource deletes a resource and its whole subtree.
func (s *Store) DeleteResource(apiID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return err
	}
	r, err := a.resource(id)
	if err != nil {
		return err
	}
	if r.ParentID == "" {
		return awserr.New(awserr.BadRequest, "Cannot delete the root resource")
	}
	var drop func(id string)
	drop = func(id string) {
		delete(a.resources, id)
		for cid, c := range a.resources {
			if c.ParentID == id {
				drop(cid)
			}
		}
	}
	drop(id)
	s.seq.Add(1)
	return nil
}
