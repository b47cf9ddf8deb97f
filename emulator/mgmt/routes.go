package mgmt

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// route is one operation of the apigateway (v1) model.
type route struct {
	op, method, path string
	fn               opFunc // nil: not implemented yet (501)
	query            []string
}

// routes lists every apigateway (v1) operation (botocore model, apigateway 2015-07-09).
// Specific paths come before the general ones they would otherwise shadow.
func (a *API) routes(extra func(*mux.Router, Helpers)) *mux.Router {
	const (
		api  = "/restapis/{restapi_id}"
		res  = api + "/resources/{resource_id}"
		meth = res + "/methods/{http_method}"
	)
	table := []route{
		{op: "GetAccount", method: "GET", path: "/account", fn: a.getAccount},
		{op: "UpdateAccount", method: "PATCH", path: "/account", fn: a.updateAccount},

		{op: "ImportRestApi", method: "POST", path: "/restapis", query: []string{"mode", "import"}},
		{op: "CreateRestApi", method: "POST", path: "/restapis", fn: a.createRestAPI},
		{op: "GetRestApis", method: "GET", path: "/restapis", fn: a.getRestAPIs},
		{op: "GetRestApi", method: "GET", path: api, fn: a.getRestAPI},
		{op: "PutRestApi", method: "PUT", path: api},
		{op: "UpdateRestApi", method: "PATCH", path: api, fn: a.updateRestAPI},
		{op: "DeleteRestApi", method: "DELETE", path: api, fn: a.deleteRestAPI},

		{op: "GetResources", method: "GET", path: api + "/resources", fn: a.getResources},
		{op: "CreateResource", method: "POST", path: res, fn: a.createResource},
		{op: "GetResource", method: "GET", path: res, fn: a.getResource},
		{op: "UpdateResource", method: "PATCH", path: res, fn: a.updateResource},
		{op: "DeleteResource", method: "DELETE", path: res, fn: a.deleteResource},

		{op: "PutIntegrationResponse", method: "PUT", path: meth + "/integration/responses/{status_code}", fn: a.putIntegrationResponse},
		{op: "GetIntegrationResponse", method: "GET", path: meth + "/integration/responses/{status_code}", fn: a.getIntegrationResponse},
		{op: "UpdateIntegrationResponse", method: "PATCH", path: meth + "/integration/responses/{status_code}", fn: a.updateIntegrationResponse},
		{op: "DeleteIntegrationResponse", method: "DELETE", path: meth + "/integration/responses/{status_code}", fn: a.deleteIntegrationResponse},
		{op: "PutIntegration", method: "PUT", path: meth + "/integration", fn: a.putIntegration},
		{op: "GetIntegration", method: "GET", path: meth + "/integration", fn: a.getIntegration},
		{op: "UpdateIntegration", method: "PATCH", path: meth + "/integration", fn: a.updateIntegration},
		{op: "DeleteIntegration", method: "DELETE", path: meth + "/integration", fn: a.deleteIntegration},
		{op: "PutMethodResponse", method: "PUT", path: meth + "/responses/{status_code}", fn: a.putMethodResponse},
		{op: "GetMethodResponse", method: "GET", path: meth + "/responses/{status_code}", fn: a.getMethodResponse},
		{op: "UpdateMethodResponse", method: "PATCH", path: meth + "/responses/{status_code}", fn: a.updateMethodResponse},
		{op: "DeleteMethodResponse", method: "DELETE", path: meth + "/responses/{status_code}", fn: a.deleteMethodResponse},
		{op: "PutMethod", method: "PUT", path: meth, fn: a.putMethod},
		{op: "GetMethod", method: "GET", path: meth, fn: a.getMethod},
		{op: "TestInvokeMethod", method: "POST", path: meth},
		{op: "UpdateMethod", method: "PATCH", path: meth, fn: a.updateMethod},
		{op: "DeleteMethod", method: "DELETE", path: meth, fn: a.deleteMethod},

		{op: "CreateDeployment", method: "POST", path: api + "/deployments", fn: createPart(a.store.CreateDeployment)},
		{op: "GetDeployments", method: "GET", path: api + "/deployments", fn: listParts(a.store.ListDeployments)},
		{op: "GetDeployment", method: "GET", path: api + "/deployments/{deployment_id}", fn: a.getDeployment},
		{op: "UpdateDeployment", method: "PATCH", path: api + "/deployments/{deployment_id}", fn: updatePart("deployment_id", a.store.UpdateDeployment)},
		{op: "DeleteDeployment", method: "DELETE", path: api + "/deployments/{deployment_id}", fn: deletePart("deployment_id", a.store.DeleteDeployment)},

		{op: "CreateStage", method: "POST", path: api + "/stages", fn: createPart(a.store.CreateStage)},
		{op: "GetStages", method: "GET", path: api + "/stages", fn: a.getStages},
		{op: "FlushStageAuthorizersCache", method: "DELETE", path: api + "/stages/{stage_name}/cache/authorizers"},
		{op: "FlushStageCache", method: "DELETE", path: api + "/stages/{stage_name}/cache/data"},
		{op: "GetExport", method: "GET", path: api + "/stages/{stage_name}/exports/{export_type}"},
		{op: "GetSdk", method: "GET", path: api + "/stages/{stage_name}/sdks/{sdk_type}"},
		{op: "GetStage", method: "GET", path: api + "/stages/{stage_name}", fn: getPart("stage_name", a.store.GetStage)},
		{op: "UpdateStage", method: "PATCH", path: api + "/stages/{stage_name}", fn: updatePart("stage_name", a.store.UpdateStage)},
		{op: "DeleteStage", method: "DELETE", path: api + "/stages/{stage_name}", fn: deletePart("stage_name", a.store.DeleteStage)},

		{op: "CreateAuthorizer", method: "POST", path: api + "/authorizers", fn: createPart(a.store.CreateAuthorizer)},
		{op: "GetAuthorizers", method: "GET", path: api + "/authorizers", fn: listParts(a.store.ListAuthorizers)},
		{op: "GetAuthorizer", method: "GET", path: api + "/authorizers/{authorizer_id}", fn: getPart("authorizer_id", a.store.GetAuthorizer)},
		{op: "TestInvokeAuthorizer", method: "POST", path: api + "/authorizers/{authorizer_id}"},
		{op: "UpdateAuthorizer", method: "PATCH", path: api + "/authorizers/{authorizer_id}", fn: updatePart("authorizer_id", a.store.UpdateAuthorizer)},
		{op: "DeleteAuthorizer", method: "DELETE", path: api + "/authorizers/{authorizer_id}", fn: deletePart("authorizer_id", a.store.DeleteAuthorizer)},

		{op: "CreateModel", method: "POST", path: api + "/models", fn: createPart(a.store.CreateModel)},
		{op: "GetModels", method: "GET", path: api + "/models", fn: listParts(a.store.ListModels)},
		{op: "GetModelTemplate", method: "GET", path: api + "/models/{model_name}/default_template"},
		{op: "GetModel", method: "GET", path: api + "/models/{model_name}", fn: getPart("model_name", a.store.GetModel)},
		{op: "UpdateModel", method: "PATCH", path: api + "/models/{model_name}", fn: updatePart("model_name", a.store.UpdateModel)},
		{op: "DeleteModel", method: "DELETE", path: api + "/models/{model_name}", fn: deletePart("model_name", a.store.DeleteModel)},

		{op: "CreateRequestValidator", method: "POST", path: api + "/requestvalidators", fn: createPart(a.store.CreateRequestValidator)},
		{op: "GetRequestValidators", method: "GET", path: api + "/requestvalidators", fn: listParts(a.store.ListRequestValidators)},
		{op: "GetRequestValidator", method: "GET", path: api + "/requestvalidators/{requestvalidator_id}", fn: getPart("requestvalidator_id", a.store.GetRequestValidator)},
		{op: "UpdateRequestValidator", method: "PATCH", path: api + "/requestvalidators/{requestvalidator_id}", fn: updatePart("requestvalidator_id", a.store.UpdateRequestValidator)},
		{op: "DeleteRequestValidator", method: "DELETE", path: api + "/requestvalidators/{requestvalidator_id}", fn: deletePart("requestvalidator_id", a.store.DeleteRequestValidator)},

		{op: "GetGatewayResponses", method: "GET", path: api + "/gatewayresponses", fn: listParts(a.store.ListGatewayResponses)},
		{op: "PutGatewayResponse", method: "PUT", path: api + "/gatewayresponses/{response_type}", fn: a.putGatewayResponse},
		{op: "GetGatewayResponse", method: "GET", path: api + "/gatewayresponses/{response_type}", fn: getPart("response_type", a.store.GetGatewayResponse)},
		{op: "UpdateGatewayResponse", method: "PATCH", path: api + "/gatewayresponses/{response_type}", fn: updatePart("response_type", a.store.UpdateGatewayResponse)},
		{op: "DeleteGatewayResponse", method: "DELETE", path: api + "/gatewayresponses/{response_type}", fn: deletePart("response_type", a.store.DeleteGatewayResponse)},

		{op: "GetDocumentationParts", method: "GET", path: api + "/documentation/parts"},
		{op: "CreateDocumentationPart", method: "POST", path: api + "/documentation/parts"},
		{op: "ImportDocumentationParts", method: "PUT", path: api + "/documentation/parts"},
		{op: "GetDocumentationPart", method: "GET", path: api + "/documentation/parts/{part_id}"},
		{op: "UpdateDocumentationPart", method: "PATCH", path: api + "/documentation/parts/{part_id}"},
		{op: "DeleteDocumentationPart", method: "DELETE", path: api + "/documentation/parts/{part_id}"},
		{op: "GetDocumentationVersions", method: "GET", path: api + "/documentation/versions"},
		{op: "CreateDocumentationVersion", method: "POST", path: api + "/documentation/versions"},
		{op: "GetDocumentationVersion", method: "GET", path: api + "/documentation/versions/{doc_version}"},
		{op: "UpdateDocumentationVersion", method: "PATCH", path: api + "/documentation/versions/{doc_version}"},
		{op: "DeleteDocumentationVersion", method: "DELETE", path: api + "/documentation/versions/{doc_version}"},

		{op: "ImportApiKeys", method: "POST", path: "/apikeys", query: []string{"mode", "import"}},
		{op: "CreateApiKey", method: "POST", path: "/apikeys"},
		{op: "GetApiKeys", method: "GET", path: "/apikeys"},
		{op: "GetApiKey", method: "GET", path: "/apikeys/{api_Key}"},
		{op: "UpdateApiKey", method: "PATCH", path: "/apikeys/{api_Key}"},
		{op: "DeleteApiKey", method: "DELETE", path: "/apikeys/{api_Key}"},

		{op: "CreateUsagePlan", method: "POST", path: "/usageplans"},
		{op: "GetUsagePlans", method: "GET", path: "/usageplans"},
		{op: "GetUsagePlan", method: "GET", path: "/usageplans/{usageplanId}"},
		{op: "UpdateUsagePlan", method: "PATCH", path: "/usageplans/{usageplanId}"},
		{op: "DeleteUsagePlan", method: "DELETE", path: "/usageplans/{usageplanId}"},
		{op: "CreateUsagePlanKey", method: "POST", path: "/usageplans/{usageplanId}/keys"},
		{op: "GetUsagePlanKeys", method: "GET", path: "/usageplans/{usageplanId}/keys"},
		{op: "UpdateUsage", method: "PATCH", path: "/usageplans/{usageplanId}/keys/{keyId}/usage"},
		{op: "GetUsagePlanKey", method: "GET", path: "/usageplans/{usageplanId}/keys/{keyId}"},
		{op: "DeleteUsagePlanKey", method: "DELETE", path: "/usageplans/{usageplanId}/keys/{keyId}"},
		{op: "GetUsage", method: "GET", path: "/usageplans/{usageplanId}/usage"},

		{op: "GetTags", method: "GET", path: "/tags/{resource_arn:.+}", fn: a.getTags},
		{op: "TagResource", method: "PUT", path: "/tags/{resource_arn:.+}", fn: a.tagResource},
		{op: "UntagResource", method: "DELETE", path: "/tags/{resource_arn:.+}", fn: a.untagResource},

		{op: "GenerateClientCertificate", method: "POST", path: "/clientcertificates"},
		{op: "GetClientCertificates", method: "GET", path: "/clientcertificates"},
		{op: "GetClientCertificate", method: "GET", path: "/clientcertificates/{clientcertificate_id}"},
		{op: "UpdateClientCertificate", method: "PATCH", path: "/clientcertificates/{clientcertificate_id}"},
		{op: "DeleteClientCertificate", method: "DELETE", path: "/clientcertificates/{clientcertificate_id}"},

		{op: "CreateDomainName", method: "POST", path: "/domainnames"},
		{op: "GetDomainNames", method: "GET", path: "/domainnames"},
		{op: "CreateBasePathMapping", method: "POST", path: "/domainnames/{domain_name}/basepathmappings"},
		{op: "GetBasePathMappings", method: "GET", path: "/domainnames/{domain_name}/basepathmappings"},
		{op: "GetBasePathMapping", method: "GET", path: "/domainnames/{domain_name}/basepathmappings/{base_path}"},
		{op: "UpdateBasePathMapping", method: "PATCH", path: "/domainnames/{domain_name}/basepathmappings/{base_path}"},
		{op: "DeleteBasePathMapping", method: "DELETE", path: "/domainnames/{domain_name}/basepathmappings/{base_path}"},
		{op: "GetDomainName", method: "GET", path: "/domainnames/{domain_name}"},
		{op: "UpdateDomainName", method: "PATCH", path: "/domainnames/{domain_name}"},
		{op: "DeleteDomainName", method: "DELETE", path: "/domainnames/{domain_name}"},
		{op: "CreateDomainNameAccessAssociation", method: "POST", path: "/domainnameaccessassociations"},
		{op: "GetDomainNameAccessAssociations", method: "GET", path: "/domainnameaccessassociations"},
		{op: "DeleteDomainNameAccessAssociation", method: "DELETE", path: "/domainnameaccessassociations/{arn:.+}"},
		{op: "RejectDomainNameAccessAssociation", method: "POST", path: "/rejectdomainnameaccessassociations"},

		{op: "CreateVpcLink", method: "POST", path: "/vpclinks"},
		{op: "GetVpcLinks", method: "GET", path: "/vpclinks"},
		{op: "GetVpcLink", method: "GET", path: "/vpclinks/{vpclink_id}"},
		{op: "UpdateVpcLink", method: "PATCH", path: "/vpclinks/{vpclink_id}"},
		{op: "DeleteVpcLink", method: "DELETE", path: "/vpclinks/{vpclink_id}"},

		{op: "GetSdkTypes", method: "GET", path: "/sdktypes"},
		{op: "GetSdkType", method: "GET", path: "/sdktypes/{sdktype_id}"},
	}

	r := mux.NewRouter().UseEncodedPath()
	r.SkipClean(true)
	if extra != nil {
		extra(r, Helpers{a})
	}
	for _, rt := range table {
		h := a.notImplemented(rt.op)
		if rt.fn != nil {
			h = a.handle(rt.op, rt.fn)
		}
		m := r.Handle(rt.path, h).Methods(rt.method)
		if len(rt.query) > 0 {
			m.Queries(rt.query...)
		}
	}
	unknown := a.handle("Unknown", func(_ http.ResponseWriter, r *http.Request) error {
		return awserr.New(awserr.NotFound, "No operation of the apigateway API matches %s %s", r.Method, r.URL.Path)
	})
	r.NotFoundHandler = unknown
	r.MethodNotAllowedHandler = unknown
	return r
}
