import os

calls = 0


def handler(event, context):
    global calls
    calls += 1
    return {"hello": event.get("name", "world"), "calls": calls, "color": os.environ.get("COLOR", "")}
