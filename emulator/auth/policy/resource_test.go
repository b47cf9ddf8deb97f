package policy

import (
	"errors"
	"net/netip"
	"testing"
)

func TestResourcePolicy(t *testing.T) {
	target := Target{Region: "us-east-1", Account: "111111111111", APIID: "abc123"}
	const methodARN = "arn:aws:execute-api:us-east-1:111111111111:abc123/prod/GET/pets"
	anon := Caller{SourceIP: netip.MustParseAddr("192.0.2.7")}
	local := Caller{SourceIP: netip.MustParseAddr("127.0.0.1")}
	alice := Caller{ARN: "arn:aws:iam::111111111111:user/alice", Account: "111111111111", SourceIP: netip.MustParseAddr("127.0.0.1")}
	bob := Caller{ARN: "arn:aws:iam::222222222222:user/bob", Account: "222222222222", SourceIP: netip.MustParseAddr("127.0.0.1")}
	tests := []struct {
		name, statements string
		caller           Caller
		want             Decision
	}{
		{"anyone, shorthand resource", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]`, anon, Allow},
		{"AWS star", `[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"execute-api:Invoke","Resource":"execute-api:/prod/GET/*"}]`, anon, Allow},
		{"other stage", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/dev/*"}]`, anon, ImplicitDeny},
		{"source ip allowed", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","198.51.100.0/24"]}}}]`, anon, Allow},
		{"source ip not in range", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}}]`, anon, ImplicitDeny},
		{"deny outside range", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.1"}}}]`, anon, ExplicitDeny},
		{"deny outside range, inside", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.1"}}}]`, local, Allow},
		{"only from a VPC endpoint (none locally)", `[{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]`, local, ExplicitDeny},
		{"StringEqualsIfExists with no VPC", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}}]`, local, Allow},
		{"named user", `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}]`, alice, Allow},
		{"named user, anonymous caller", `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}]`, anon, ImplicitDeny},
		{"account root", `[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root"]},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}]`, bob, Allow},
		{"account id", `[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}]`, alice, ImplicitDeny},
		{"principal account condition", `[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/*"}}}]`, alice, Allow},
		{"unsupported operator never applies", `[{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}},{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]`, anon, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseResource(doc(tt.statements), target)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Evaluate(methodARN, tt.caller); got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
	p, _ := ParseResource(doc(tests[len(tests)-1].statements), target)
	if u := p.Unsupported(); len(u) != 1 || u[0] != "DateGreaterThan" {
		t.Errorf("Unsupported = %v", u)
	}
	for _, bad := range []string{
		`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"someone","Action":"*","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":3},"Action":"*","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":"x"}}]}`,
		`[]`,
	} {
		if _, err := ParseResource([]byte(bad), target); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseResource(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func FuzzParseResource(f *testing.F) {
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}}]}`), "127.0.0.1")
	f.Add([]byte(`{"Statement":{"Effect":"Deny","Principal":{"AWS":["*"]},"NotAction":"x","NotResource":"execute-api:/a","Condition":{"StringNotLikeIfExists":{"aws:PrincipalArn":"*"}}}}`), "::1")
	f.Fuzz(func(t *testing.T, d []byte, ip string) {
		p, err := ParseResource(d, Target{Region: "r", Account: "1", APIID: "a"})
		if err != nil {
			return
		}
		a, _ := netip.ParseAddr(ip)
		_ = p.Evaluate("arn:aws:execute-api:r:1:a/s/GET/x", Caller{SourceIP: a})
		_ = p.Evaluate("arn:aws:execute-api:r:1:a/s/GET/x", Caller{ARN: "arn:aws:iam::1:user/u", Account: "1", SourceIP: a})
	})
}
