"""The sample's Python function: echoes the posted JSON."""
import json
import os


def lambda_handler(event, context):
    body = json.loads(event.get("body") or "{}")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({
            "message": "%s from Python" % os.environ.get("GREETING"),
            "echo": body,
            "stage": os.environ.get("STAGE"),
        }),
    }
