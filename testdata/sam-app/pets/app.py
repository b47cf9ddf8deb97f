"""The sample's pets function: a proxy route (GET /pets) and a non-proxy one (GET /pets/{id})."""
import json
import os

PETS = {"1": {"id": "1", "name": "Rex"}, "2": {"id": "2", "name": "Tom"}}


def handler(event, context):
    if event.get("action") == "get":
        # Non-proxy: the request template built this event; raising maps to a 404 by the
        # integration response's selection pattern.
        pet = PETS.get(event.get("id"))
        if pet is None:
            raise Exception("pet not found")
        return dict(pet, table=event.get("table"), user=event.get("user"))
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"pets": list(PETS.values()), "table": os.environ.get("TABLE_NAME")}),
    }
