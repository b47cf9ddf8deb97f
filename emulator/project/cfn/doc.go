// Package cfn reads CloudFormation templates (YAML or JSON, the SAM dialect included) into
// yaml.v3 node trees and resolves the intrinsic functions CloudFormation evaluates at deploy
// time, for apigw-local's project loaders.
//
// Parse keeps every node's line and column, turns the short forms (!Ref, !Sub, !GetAtt, ...)
// into their long forms ({"Ref": ...}, {"Fn::Sub": ...}) so the rest of the code sees one
// shape, and expands AWS::Include transforms whose Location is a local file. A Resolver then
// evaluates Ref, Fn::Sub (one and two arguments), Fn::GetAtt, Fn::Join, Fn::If with the
// template's Conditions, Fn::Equals, Fn::And, Fn::Or, Fn::Not, Fn::Select, Fn::Split,
// Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::ToJsonString, Fn::Length and AWS::NoValue, with
// Parameters (defaults and overrides, AllowedValues and AllowedPattern checked) and the
// pseudo parameters. What a resource's Ref or GetAtt returns is the caller's business (a
// [Refs] implementation), so the loaders decide what each emulated resource answers.
//
// Known differences from CloudFormation:
//   - Fn::ImportValue, Fn::Cidr and Fn::ForEach cannot be evaluated locally: they resolve to a
//     placeholder string and the resolver reports a note, instead of failing the deployment;
//   - an AWS::Include whose Location is an S3 URL cannot be read and is an error naming it;
//   - dynamic references ({{resolve:ssm:...}}) are left as written;
//   - parameter types AWS::SSM::Parameter::Value<...> take their Default (or override) as the
//     value itself, since there is no Parameter Store to read;
//   - MinLength, MaxLength, MinValue and MaxValue are not checked.
package cfn
