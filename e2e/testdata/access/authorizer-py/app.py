"""A REQUEST authorizer: the "token" header must be "letmein"; the "tenant" query string
and the stage's "tenant" variable are identity sources. The context reports what the
event carried, so tests can check it."""

calls = 0


def handler(event, context):
    global calls
    calls += 1
    headers = event.get("headers") or {}
    token = headers.get("Token") or headers.get("token")
    if token != "letmein":
        raise Exception("Unauthorized")
    arn = event["methodArn"]
    return {
        "principalId": "py-user",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": arn.split("/")[0] + "/*"}],
        },
        "context": {
            "calls": calls,
            "tenant": event["queryStringParameters"]["tenant"],
            "stageTenant": event["stageVariables"]["tenant"],
            "resource": event["resource"],
            "methodArn": arn,
            "sourceIp": event["requestContext"]["identity"]["sourceIp"],
        },
    }
