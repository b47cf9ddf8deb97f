package lambdarunner

import "testing"

func TestParseFunctionRef(t *testing.T) {
	tests := []struct {
		in        string
		name, qua string
		ok        bool
	}{
		{"hello", "hello", "", true},
		{"hello:live", "hello", "live", true},
		{"hello:$LATEST", "hello", "$LATEST", true},
		{"123456789012:function:hello", "hello", "", true},
		{"123456789012:function:hello:7", "hello", "7", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:hello", "hello", "", true},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:hello:prod", "hello", "prod", true},
		{"arn:aws:lambda:us-east-1:123456789012:layer:hello", "", "", false},
		{"hello:", "", "", false},
		{"a:b:c", "", "", false},
		{"bad name", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		ref, ok := parseFunctionRef(tt.in)
		if ok != tt.ok || (ok && (ref.name != tt.name || ref.qualifier != tt.qua)) {
			t.Errorf("parseFunctionRef(%q) = %+v, %v; want %s %s %v", tt.in, ref, ok, tt.name, tt.qua, tt.ok)
		}
	}
}
