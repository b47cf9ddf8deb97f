package apigw

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/vtl"
	"github.com/apigw-local/apigw-local/vtl/internal/java"
)

// contextObj is $context.
type contextObj struct {
	e      *env
	extra  *vtl.Map // names a template #set on $context
	ident  identityObj
	auth   authorizerObj
	claims claimsObj
	errObj errorObj

	identVal, authVal, errVal, claimsVal vtl.Value // the objects above, wrapped once
}

func str(s string) vtl.Value {
	if s == "" {
		return vtl.Value{}
	}
	return vtl.String(s)
}

func (o *contextObj) Property(name string) (vtl.Value, error) {
	c := o.e.ctx
	switch name {
	case "accountId":
		return str(c.AccountID), nil
	case "apiId":
		return str(c.APIID), nil
	case "awsEndpointRequestId":
		return str(c.AWSEndpointRequestID), nil
	case "deploymentId":
		return str(c.DeploymentID), nil
	case "domainName":
		return str(c.DomainName), nil
	case "domainPrefix":
		return str(c.DomainPrefix), nil
	case "extendedRequestId":
		return str(c.ExtendedRequestID), nil
	case "httpMethod":
		return str(c.HTTPMethod), nil
	case "path":
		return str(c.Path), nil
	case "protocol":
		return str(c.Protocol), nil
	case "requestId":
		return str(c.RequestID), nil
	case "requestTime":
		return str(c.RequestTime), nil
	case "requestTimeEpoch":
		if c.RequestTimeEpoch == 0 {
			return vtl.Value{}, nil
		}
		return vtl.Int(c.RequestTimeEpoch), nil
	case "resourceId":
		return str(c.ResourceID), nil
	case "resourcePath":
		return str(c.ResourcePath), nil
	case "stage":
		return str(c.Stage), nil
	case "wafResponseCode":
		return str(c.WAFResponseCode), nil
	case "webaclArn":
		return str(c.WebACLArn), nil
	case "operationName":
		return str(c.OperationName), nil
	case "identity":
		return o.identVal, nil
	case "authorizer":
		return o.authVal, nil
	case "error":
		return o.errVal, nil
	case "requestOverride":
		return o.e.ovr.request().val, nil
	case "responseOverride":
		return o.e.ovr.response().val, nil
	}
	if o.extra != nil {
		v, _ := o.extra.Get(name)
		return v, nil
	}
	return vtl.Value{}, nil
}

func (o *contextObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	return getterCall(o, name, args)
}

// SetProperty keeps names a template sets on $context readable.
func (o *contextObj) SetProperty(name string, v vtl.Value) error {
	if o.extra == nil {
		o.extra = vtl.NewMap(1)
	}
	o.extra.Put(name, v)
	return nil
}

// getterCall serves $x.get("name") and $x.getName() on host objects.
func getterCall(o vtl.Object, name string, args []vtl.Value) (vtl.Value, error) {
	switch {
	case name == "get" && len(args) == 1:
		if k, ok := args[0].AsString(); ok {
			return o.Property(k)
		}
	case strings.HasPrefix(name, "get") && len(name) > 3 && len(args) == 0:
		return o.Property(strings.ToLower(name[3:4]) + name[4:])
	}
	return vtl.Value{}, nil
}

type identityObj struct{ c *Context }

func (o *identityObj) Property(name string) (vtl.Value, error) {
	id := &o.c.Identity
	switch name {
	case "accountId":
		return str(id.AccountID), nil
	case "apiKey":
		return str(id.APIKey), nil
	case "apiKeyId":
		return str(id.APIKeyID), nil
	case "caller":
		return str(id.Caller), nil
	case "cognitoAuthenticationProvider":
		return str(id.CognitoAuthenticationProvider), nil
	case "cognitoAuthenticationType":
		return str(id.CognitoAuthenticationType), nil
	case "cognitoIdentityId":
		return str(id.CognitoIdentityID), nil
	case "cognitoIdentityPoolId":
		return str(id.CognitoIdentityPoolID), nil
	case "principalOrgId":
		return str(id.PrincipalOrgID), nil
	case "sourceIp":
		return str(id.SourceIP), nil
	case "user":
		return str(id.User), nil
	case "userAgent":
		return str(id.UserAgent), nil
	case "userArn":
		return str(id.UserArn), nil
	case "accessKey":
		return str(id.AccessKey), nil
	case "clientCert":
		if id.ClientCert == nil {
			return vtl.Value{}, nil
		}
		return vtl.ObjectValue(&certObj{cc: id.ClientCert}), nil
	}
	return vtl.Value{}, nil
}

func (o *identityObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	return getterCall(o, name, args)
}

type certObj struct{ cc *ClientCert }

func (o *certObj) Property(name string) (vtl.Value, error) {
	switch name {
	case "clientCertPem":
		return str(o.cc.ClientCertPem), nil
	case "subjectDN":
		return str(o.cc.SubjectDN), nil
	case "issuerDN":
		return str(o.cc.IssuerDN), nil
	case "serialNumber":
		return str(o.cc.SerialNumber), nil
	case "validity":
		return vtl.ObjectValue(&validityObj{cc: o.cc}), nil
	}
	return vtl.Value{}, nil
}

func (o *certObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	return getterCall(o, name, args)
}

type validityObj struct{ cc *ClientCert }

func (o *validityObj) Property(name string) (vtl.Value, error) {
	switch name {
	case "notBefore":
		return str(o.cc.NotBefore), nil
	case "notAfter":
		return str(o.cc.NotAfter), nil
	}
	return vtl.Value{}, nil
}

func (o *validityObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	return getterCall(o, name, args)
}

type authorizerObj struct{ o *contextObj }

func (a *authorizerObj) Property(name string) (vtl.Value, error) {
	c := a.o.e.ctx
	if name == "claims" {
		return a.o.claimsVal, nil
	}
	for _, p := range c.Authorizer {
		if p.Name == name {
			return vtl.String(p.Value), nil
		}
	}
	return vtl.Value{}, nil
}

func (a *authorizerObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	return getterCall(a, name, args)
}

// claimsObj is $context.authorizer.claims: documented to be null itself,
// so it renders as nothing, but its properties are the claims.
type claimsObj struct{ c *Context }

func (o *claimsObj) Property(name string) (vtl.Value, error) {
	for _, p := range o.c.AuthorizerClaims {
		if p.Name == name {
			return vtl.String(p.Value), nil
		}
	}
	return vtl.Value{}, nil
}

func (o *claimsObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	return getterCall(o, name, args)
}

type errorObj struct{ c *Context }

func (o *errorObj) Property(name string) (vtl.Value, error) {
	e := &o.c.Error
	switch name {
	case "message":
		return str(e.Message), nil
	case "messageString":
		if e.MessageString == "" && e.Message != "" {
			return vtl.String(string(java.AppendJSONString(nil, e.Message, false))), nil
		}
		return str(e.MessageString), nil
	case "responseType":
		return str(e.ResponseType), nil
	case "validationErrorString":
		return str(e.ValidationErrorString), nil
	}
	return vtl.Value{}, nil
}

func (o *errorObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	return getterCall(o, name, args)
}

// overrideState holds $context.requestOverride and responseOverride for
// one render, created when a template first touches them.
type overrideState struct {
	e       *env
	changed bool
	set     map[string]bool // parameters set by this render
	req     *overrideObj
	resp    *overrideObj
}

// overrideObj is $context.requestOverride or responseOverride: named maps
// (header, path, querystring) plus anything else a template writes.
type overrideObj struct {
	s     *overrideState
	kind  string // "request" or "response"
	maps  map[string]*paramsObj
	other *vtl.Map
	val   vtl.Value // the object, wrapped
}

// paramsObj is one writable override map, such as requestOverride.header.
type paramsObj struct {
	s    *overrideState
	name string // "request.header", ...
	m    *vtl.Map
	val  vtl.Value // the object, wrapped
}

func (s *overrideState) mark(key string) error {
	if s.set == nil {
		s.set = map[string]bool{}
	}
	if s.set[key] {
		return fmt.Errorf("$context.%sOverride: %s is set more than once in one template", key[:strings.IndexByte(key, '.')], key[strings.IndexByte(key, '.')+1:])
	}
	s.set[key] = true
	s.changed = true
	return nil
}

func (s *overrideState) request() *overrideObj {
	if s.req == nil {
		s.req = &overrideObj{s: s, kind: "request", other: vtl.NewMap(0), maps: map[string]*paramsObj{}}
		s.req.val = vtl.ObjectValue(s.req)
		for _, n := range []string{"header", "path", "querystring"} {
			p := &paramsObj{s: s, name: "request." + n, m: vtl.NewMap(0)}
			p.val = vtl.ObjectValue(p)
			s.req.maps[n] = p
		}
		if o := s.e.req.Overrides; o != nil {
			for _, k := range sortedKeys(o.RequestHeader) {
				vs := o.RequestHeader[k]
				if len(vs) == 1 {
					s.req.maps["header"].m.Put(k, vtl.String(vs[0]))
					continue
				}
				l := vtl.NewList()
				for _, v := range vs {
					l.Append(vtl.String(v))
				}
				s.req.maps["header"].m.Put(k, vtl.ListValue(l))
			}
			putStrings(s.req.maps["path"].m, o.RequestPath)
			putStrings(s.req.maps["querystring"].m, o.RequestQueryString)
			putStrings(s.req.other, o.RequestOther)
		}
	}
	return s.req
}

func (s *overrideState) response() *overrideObj {
	if s.resp == nil {
		s.resp = &overrideObj{s: s, kind: "response", other: vtl.NewMap(0), maps: map[string]*paramsObj{}}
		s.resp.val = vtl.ObjectValue(s.resp)
		p := &paramsObj{s: s, name: "response.header", m: vtl.NewMap(0)}
		p.val = vtl.ObjectValue(p)
		s.resp.maps["header"] = p
		if o := s.e.req.Overrides; o != nil {
			putStrings(s.resp.maps["header"].m, o.ResponseHeader)
			if o.ResponseStatus != 0 {
				s.resp.other.Put("status", vtl.Int(int64(o.ResponseStatus)))
			}
			putStrings(s.resp.other, o.ResponseOther)
		}
	}
	return s.resp
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func putStrings(m *vtl.Map, src map[string]string) {
	for _, k := range sortedKeys(src) {
		m.Put(k, vtl.String(src[k]))
	}
}

func (o *overrideObj) Property(name string) (vtl.Value, error) {
	if p, ok := o.maps[name]; ok {
		return p.val, nil
	}
	v, _ := o.other.Get(name)
	return v, nil
}

func (o *overrideObj) SetProperty(name string, v vtl.Value) error {
	if _, ok := o.maps[name]; ok {
		return fmt.Errorf("$context.%sOverride.%s cannot be replaced; set its entries", o.kind, name)
	}
	if err := o.s.mark(o.kind + "." + name); err != nil {
		return err
	}
	o.other.Put(name, v)
	return nil
}

func (o *overrideObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	if name == "put" && len(args) == 2 {
		k, ok := args[0].AsString()
		if !ok {
			return vtl.Value{}, nil
		}
		old, _ := o.Property(k)
		return old, o.SetProperty(k, args[1])
	}
	return getterCall(o, name, args)
}

// JavaString renders the override like the Java map behind it.
func (o *overrideObj) JavaString() string {
	m := vtl.NewMap(len(o.maps) + o.other.Len())
	for _, n := range []string{"header", "path", "querystring"} {
		if p, ok := o.maps[n]; ok {
			m.Put(n, vtl.MapValue(p.m))
		}
	}
	for i := range o.other.Len() {
		m.Put(o.other.Key(i), o.other.ValueAt(i))
	}
	return vtl.MapValue(m).String()
}

func (p *paramsObj) Property(name string) (vtl.Value, error) {
	v, _ := p.m.Get(name)
	return v, nil
}

func (p *paramsObj) SetProperty(name string, v vtl.Value) error {
	if err := p.s.mark(p.name + "." + name); err != nil {
		return err
	}
	p.m.Put(name, v)
	return nil
}

func (p *paramsObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	switch {
	case name == "put" && len(args) == 2:
		k, ok := args[0].AsString()
		if !ok {
			return vtl.Value{}, nil
		}
		old, _ := p.m.Get(k)
		return old, p.SetProperty(k, args[1])
	case name == "get" && len(args) == 1:
		k, _ := args[0].AsString()
		v, _ := p.m.Get(k)
		return v, nil
	case name == "containsKey" && len(args) == 1:
		k, _ := args[0].AsString()
		_, ok := p.m.Get(k)
		return vtl.Bool(ok), nil
	case name == "keySet" && len(args) == 0:
		return p.m.KeySet(), nil
	case name == "values" && len(args) == 0:
		return p.m.Values(), nil
	case name == "entrySet" && len(args) == 0:
		return p.m.EntrySet(), nil
	case name == "size" && len(args) == 0:
		return vtl.Int(int64(p.m.Len())), nil
	case name == "isEmpty" && len(args) == 0:
		return vtl.Bool(p.m.Len() == 0), nil
	}
	return vtl.Value{}, nil
}

// JavaString renders the map as Java does.
func (p *paramsObj) JavaString() string { return vtl.MapValue(p.m).String() }

// Len and At let #foreach walk the map's values.
func (p *paramsObj) Len() int { return p.m.Len() }

// At returns the value of entry i.
func (p *paramsObj) At(i int) vtl.Value { return p.m.ValueAt(i) }

// result converts what the templates wrote into Overrides.
func (s *overrideState) result() *Overrides {
	o := &Overrides{}
	if s.req != nil {
		hm := s.req.maps["header"].m
		for i := range hm.Len() {
			v := hm.ValueAt(i)
			if v.IsNull() {
				continue
			}
			if o.RequestHeader == nil {
				o.RequestHeader = map[string][]string{}
			}
			if l, ok := v.AsList(); ok {
				vs := make([]string, l.Len())
				for j := range vs {
					vs[j] = text(l.At(j))
				}
				o.RequestHeader[strings.Clone(hm.Key(i))] = vs
			} else {
				o.RequestHeader[strings.Clone(hm.Key(i))] = []string{text(v)}
			}
		}
		o.RequestPath = stringMap(s.req.maps["path"].m)
		o.RequestQueryString = stringMap(s.req.maps["querystring"].m)
		o.RequestOther = stringMap(s.req.other)
	}
	if s.resp != nil {
		o.ResponseHeader = stringMap(s.resp.maps["header"].m)
		other := s.resp.other
		if v, ok := other.Get("status"); ok {
			o.ResponseStatus = status(v)
		}
		for i := range other.Len() {
			if k := other.Key(i); k != "status" && !other.ValueAt(i).IsNull() {
				if o.ResponseOther == nil {
					o.ResponseOther = map[string]string{}
				}
				o.ResponseOther[strings.Clone(k)] = text(other.ValueAt(i))
			}
		}
	}
	return o
}

// text is a value as a template renders it, copied so that it does not
// share memory with the request.
func text(v vtl.Value) string {
	if v.IsNull() {
		return ""
	}
	return strings.Clone(v.String())
}

func stringMap(m *vtl.Map) map[string]string {
	var out map[string]string
	for i := range m.Len() {
		v := m.ValueAt(i)
		if v.IsNull() {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[strings.Clone(m.Key(i))] = text(v)
	}
	return out
}

// status accepts an integer 100–599, or a string of one.
func status(v vtl.Value) int {
	n, ok := v.AsInt()
	if !ok {
		s, isStr := v.AsString()
		if !isStr {
			return 0
		}
		i, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0
		}
		n = int64(i)
	}
	if n < 100 || n > 599 {
		return 0
	}
	return int(n)
}
