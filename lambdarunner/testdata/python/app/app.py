"""Python test handlers."""
import logging
import os
import time

calls = 0  # module state: survives between invocations of one environment
logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    global calls
    calls += 1
    action = event.get("action") if isinstance(event, dict) else None
    if action == "error":
        raise ValueError(event["text"])
    if action == "sleep":
        time.sleep(event["ms"] / 1000)
    if action == "exit":
        os._exit(4)
    if action == "log":
        print("hello from python", event["text"])
        logger.info("logged %s", event["text"])
    return {
        "calls": calls,
        "pid": os.getpid(),
        "event": event,
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "remaining": context.get_remaining_time_in_millis(),
        "greeting": os.environ.get("GREETING"),
    }
