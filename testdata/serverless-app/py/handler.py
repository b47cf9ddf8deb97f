"""The sample service's Python handler (handler: py/handler.get_todo)."""
import json
import os


def get_todo(event, context):
    todo_id = (event.get("pathParameters") or {}).get("id")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"id": todo_id, "title": "todo " + str(todo_id), "table": os.environ["TABLE_NAME"]}),
    }
