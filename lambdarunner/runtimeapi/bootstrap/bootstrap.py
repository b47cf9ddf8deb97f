"""apigw-local bootstrap for python3.x functions.

A small Lambda Runtime API client, standard library only: it imports the handler named by _HANDLER
("module.function", "dir/module.function" or "package.module.function") from LAMBDA_TASK_ROOT and
serves invocations as the Lambda Python runtime interface client does: the context object, the
logging format ("[LEVEL]\\ttime\\trequestId\\tmessage") and the error shapes Lambda returns
({errorMessage, errorType, requestId, stackTrace}).
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
HANDLER = os.environ.get("_HANDLER", "")

_conn = None
_request_id = ""


def _request(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        if _conn is None:
            _conn = http.client.HTTPConnection(API)
        try:
            _conn.request(method, BASE + path, body=body, headers=headers or {})
            resp = _conn.getresponse()
            return resp.status, resp.headers, resp.read()
        except (http.client.HTTPException, ConnectionError):
            _conn.close()
            _conn = None
            if attempt:
                raise


class FaultError(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def _error_payload(exc_info=None, fault=None):
    if fault is not None:
        return {
            "errorMessage": fault.message,
            "errorType": fault.error_type,
            "requestId": _request_id,
            "stackTrace": fault.trace or [],
        }
    etype, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename == __file__:
        frames = frames[1:]
    return {
        "errorMessage": str(value),
        "errorType": etype.__name__,
        "requestId": _request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _post_error(path, payload):
    trace = "".join(payload.get("stackTrace") or [])
    line = "[ERROR] %s: %s" % (payload["errorType"], payload["errorMessage"])
    if trace:
        line += "\nTraceback (most recent call last):\n" + trace
    print(line.rstrip("\n"), flush=True)
    _request(
        "POST",
        path,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": payload["errorType"]},
    )


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)


class ClientContext:
    def __init__(self, data):
        data = data or {}
        self.client = data.get("client")
        self.custom = data.get("custom")
        self.env = data.get("env")


class CognitoIdentity:
    def __init__(self, data):
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        cc = headers.get("Lambda-Runtime-Client-Context")
        ci = headers.get("Lambda-Runtime-Cognito-Identity")
        self.client_context = ClientContext(json.loads(cc)) if cc else None
        self.identity = CognitoIdentity(json.loads(ci) if ci else None)
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def _load_handler():
    try:
        modname, fname = HANDLER.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (HANDLER, e))
    if modname.split(".")[0] in sys.builtin_module_names:
        raise FaultError("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % modname)
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
    handler = getattr(module, fname, None)
    if handler is None:
        # Lambda reports a missing function at invoke time, not at init.
        fault = FaultError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))

        def missing(event, context):
            raise fault

        return missing
    return handler


def main():
    global _request_id
    sys.path.insert(0, TASK_ROOT)
    _setup_logging()
    try:
        handler = _load_handler()
    except FaultError as f:
        _post_error("/init/error", _error_payload(fault=f))
        sys.exit(1)
    except Exception:
        _post_error("/init/error", _error_payload(exc_info=sys.exc_info()))
        sys.exit(1)
    while True:
        _request_id = ""
        status, headers, body = _request("GET", "/invocation/next")
        _request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        path = "/invocation/%s" % _request_id
        try:
            event = json.loads(body) if body else {}
            result = handler(event, LambdaContext(headers))
        except FaultError as f:
            _post_error(path + "/error", _error_payload(fault=f))
            continue
        except Exception:
            _post_error(path + "/error", _error_payload(exc_info=sys.exc_info()))
            continue
        try:
            out = json.dumps(result).encode()
        except Exception as e:
            fault = FaultError("Runtime.MarshalError", "Unable to marshal response: %s" % e)
            _post_error(path + "/error", _error_payload(fault=fault))
            continue
        _request("POST", path + "/response", body=out, headers={"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
