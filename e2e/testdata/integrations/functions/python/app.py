"""The Python Runtime API function of the integration tests: it answers a Lambda proxy
event with the event itself as the body, unless the query string asks for something else
with mode (error, crash, malformed, slow, binary)."""

import json
import os
import time


def handler(event, context):
    q = event.get("queryStringParameters") or {}
    mode = q.get("mode")
    if mode == "error":
        raise Exception("boom")
    if mode == "crash":
        os._exit(3)
    if mode == "malformed":
        return {"statusCode": 200, "extra": 1}
    if mode == "slow":
        time.sleep(int(q["ms"]) / 1000)
    if mode == "binary":
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "body": "iVBORw0KGgo=", "isBase64Encoded": True}
    return {"statusCode": 200, "headers": {"X-Runtime": "python"}, "body": json.dumps(event)}
