"""A small client for OpenAI-compatible chat-completions endpoints that answer in JSON.

Works with Azure AI Foundry, xAI, OpenAI, Ollama and vLLM: `ChatClient.complete_json` POSTs to
`{base_url}/chat/completions`, retries connection errors, timeouts, 429 and 5xx with backoff,
and parses the answer as a JSON object. Every failure becomes an `LLMError`. Answers are
checked against JSON schemas with `schema_error`, which uses jsonschema when it is installed.
"""
from __future__ import annotations

import json
import re
import time
from typing import Any, Sequence

import httpx

from factcheck.errors import ConfigError, LLMError

try:  # jsonschema comes with prefect; without it a built-in subset validator is used
    import jsonschema
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema = None

Message = dict[str, str]

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_MAX_RETRY_AFTER = 60.0


def one_line(text: object, limit: int = 200) -> str:
    """The text on one line, whitespace collapsed, cut to `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ChatClient:
    """A JSON-answering client for one model behind an OpenAI-compatible chat-completions endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        *,
        transport: httpx.BaseTransport | None = None,
        backoff: float = 0.5,
        temperature: float | None = 0.0,
    ):
        if not base_url:
            raise ConfigError("LLM base URL is missing (set FACTCHECK_LLM_BASE_URL)")
        if not model:
            raise ConfigError("LLM model is missing (set FACTCHECK_LLM_MODEL)")
        try:
            url = httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            raise ConfigError(f"LLM base URL {base_url!r} is invalid: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigError(f"LLM base URL {base_url!r} must be an http:// or https:// URL")
        if timeout <= 0 or max_retries < 0:
            raise ConfigError(f"LLM timeout {timeout!r} must be > 0 and max_retries {max_retries!r} >= 0")
        self.base_url = base_url
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.temperature = temperature
        # Keep any query string (Azure's api-version) after the appended path.
        self.url = url.copy_with(path=url.path.rstrip("/") + "/chat/completions")
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), headers=headers, transport=transport)

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> "ChatClient":
        """A client for `settings.llm_base_url` and `settings.llm_model`; ConfigError when one is missing."""
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else None
        return cls(settings.llm_base_url, settings.llm_model, key or None, settings.llm_timeout, **kwargs)

    def complete_json(self, messages: Sequence[Message], schema_name: str) -> dict:
        """The model's answer to `messages` parsed as a JSON object; `schema_name` names it in errors."""
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "response_format": {"type": "json_object"},
        }
        if self.temperature is not None:
            payload["temperature"] = self.temperature
        response = self._post(payload)
        content, finish = self._content(response, schema_name)
        try:
            answer = parse_json_content(content)
        except ValueError:
            truncated = " (truncated: finish_reason=length)" if finish == "length" else ""
            raise LLMError(f"LLM answer for {schema_name} is not JSON{truncated}: {one_line(content)!r}") from None
        if not isinstance(answer, dict):
            raise LLMError(f"LLM answer for {schema_name} is not a JSON object: {one_line(content)!r}")
        return answer

    def close(self) -> None:
        """Close the underlying HTTP connections."""
        self._http.close()

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, payload: dict) -> httpx.Response:
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            retry_after = 0.0
            try:
                response = self._http.post(self.url, json=payload)
            except httpx.TimeoutException as exc:
                reason = f"LLM request to {self.url} timed out (timeout {self.timeout:g}s, {type(exc).__name__})"
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                reason = f"LLM endpoint {self.url} is unreachable: {one_line(exc) or type(exc).__name__}"
            except httpx.HTTPError as exc:
                raise LLMError(f"LLM request to {self.url} failed: {one_line(exc) or type(exc).__name__}") from None
            else:
                status = response.status_code
                if status < 400:
                    return response
                reason = f"LLM endpoint {self.url} returned HTTP {status}: {_error_detail(response)}"
                if status != 429 and status < 500:
                    raise LLMError(reason)
                retry_after = _retry_after(response)
            if attempt == attempts:
                suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
                raise LLMError(reason + suffix)
            time.sleep(max(self.backoff * 2 ** (attempt - 1), retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    def _content(self, response: httpx.Response, schema_name: str) -> tuple[str, str | None]:
        try:
            data = response.json()
        except ValueError:
            raise LLMError(f"LLM endpoint {self.url} sent a non-JSON body: {one_line(response.text)!r}") from None
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"LLM response for {schema_name} has no choices[0].message: {one_line(data)!r}") from None
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str) or not content.strip():
            refusal = choice["message"].get("refusal") if isinstance(choice["message"], dict) else None
            detail = f" (refusal: {one_line(refusal)!r})" if refusal else ""
            raise LLMError(f"LLM answer for {schema_name} is empty{detail}")
        return content, choice.get("finish_reason") if isinstance(choice, dict) else None


def parse_json_content(content: str) -> Any:
    """Parse a model's message as JSON, tolerating ```json fences, <think> blocks and prose around one object."""
    text = _THINK.sub("", content).strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if start == -1 or end <= start:
            raise
        return json.loads(text[start:end + 1])


def schema_validator() -> str:
    """Which validator `schema_error` uses: 'jsonschema' or 'builtin'."""
    return "jsonschema" if jsonschema is not None else "builtin"


def schema_error(value: Any, schema: dict) -> str | None:
    """The first way `value` breaks `schema` as one line ('path: problem'), or None when it fits."""
    if jsonschema is not None:
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(value))
        if not errors:
            return None
        error = jsonschema.exceptions.best_match(errors)
        return f"{_path(error.absolute_path)}: {one_line(error.message)}"
    return _builtin_error(value, schema, ())


# Built-in validation of the subset of JSON Schema used in factcheck: type, enum, required,
# properties, additionalProperties (a schema), items, minimum, maximum, minLength.
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def _builtin_error(value: Any, schema: dict, path: tuple) -> str | None:
    where = _path(path)
    kind = schema.get("type")
    if kind is not None and not _TYPES[kind](value):
        return f"{where}: {one_line(repr(value))} is not of type {kind!r}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where}: {one_line(repr(value))} is not one of {schema['enum']!r}"
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        return f"{where}: {value!r} is too short"
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{where}: {value!r} is less than the minimum of {schema['minimum']!r}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{where}: {value!r} is greater than the maximum of {schema['maximum']!r}"
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                return f"{where}: {key!r} is a required property"
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties"))
            if isinstance(sub, dict):
                problem = _builtin_error(item, sub, path + (key,))
                if problem:
                    return problem
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problem = _builtin_error(item, schema["items"], path + (i,))
            if problem:
                return problem
    return None


def _path(parts: Any) -> str:
    return "/".join(str(p) for p in parts) or "answer"


def _error_detail(response: httpx.Response) -> str:
    try:
        data = response.json()
        error = data.get("error", data) if isinstance(data, dict) else data
        message = error.get("message", error) if isinstance(error, dict) else error
    except ValueError:
        message = response.text or response.reason_phrase
    return one_line(message) or response.reason_phrase


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("retry-after", 0)), 0.0), _MAX_RETRY_AFTER)
    except ValueError:
        return 0.0


class CannedTransport(httpx.MockTransport):
    """A test double answering successive chat requests with canned message contents; records request bodies."""

    def __init__(self, *contents: str | dict):
        self.contents = list(contents)
        self.requests: list[dict] = []
        super().__init__(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        if not self.contents:
            raise AssertionError(f"CannedTransport has no answer left for request {len(self.requests)}")
        content = self.contents.pop(0)
        text = content if isinstance(content, str) else json.dumps(content)
        message = {"role": "assistant", "content": text}
        return httpx.Response(200, json={"object": "chat.completion",
                                         "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})
