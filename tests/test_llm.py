"""The LLM client, verifier and claim extractor against a real chat-completions server on loopback."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from factcheck import llm
from factcheck.errors import ConfigError, FactcheckError, LLMError
from factcheck.llm import CannedTransport, ChatClient, parse_json_content, schema_error
from factcheck.llm_claims import LLMClaimExtractor, locate_quote
from factcheck.llm_verify import LLMVerifier
from factcheck.records import Document, Hit, Label, Stance
from factcheck.settings import Settings


class FakeChat:
    """A chat-completions server: answers requests with queued replies and records what it got."""

    def __init__(self):
        self.replies: deque[dict] = deque()
        self.requests: list[dict] = []
        self.stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
                reply = fake.replies.popleft() if fake.replies else {"status": 500, "content": "no reply queued"}
                if reply.get("delay"):
                    fake.stop.wait(reply["delay"])
                status = reply.get("status", 200)
                content = reply.get("content", "")
                if not isinstance(content, str):
                    content = json.dumps(content)
                if status == 200:
                    payload = {"id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": content}}]}
                else:
                    payload = {"error": {"message": content, "type": "server_error"}}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.block_on_close = False
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def reply(self, content=None, status=200, delay=0.0) -> "FakeChat":
        """Queue one reply: message content (dicts sent as JSON), HTTP status, seconds to wait first."""
        self.replies.append({"content": content, "status": status, "delay": delay})
        return self

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat():
    fake = FakeChat()
    yield fake
    fake.close()


@pytest.fixture(params=["jsonschema", "builtin"])
def validator(request, monkeypatch):
    """Run a test with jsonschema and with the built-in validator."""
    if request.param == "builtin":
        monkeypatch.setattr(llm, "jsonschema", None)
    assert llm.schema_validator() == request.param
    return request.param


def client_for(fake: FakeChat, **kwargs) -> ChatClient:
    kwargs = {"api_key": "sk-test", "timeout": 2.0, "backoff": 0.01, **kwargs}
    return ChatClient(fake.base_url, "test-model", **kwargs)


HITS = [
    Hit(11, "src-a", "Acme shipped 4 million phones in 2023, the company said.", 0.9),
    Hit(12, "src-b", "Acme was founded in 1999 in Oslo.", 0.5),
    Hit(13, "src-c", "Shipments of the Acme phone fell to 3 million in 2023.", 0.4),
]


# --- client ---------------------------------------------------------------------------------------

def test_client_posts_chat_completions_with_auth_and_json_mode(chat):
    chat.reply({"ok": True})
    assert client_for(chat).complete_json([{"role": "user", "content": "hi"}], "probe") == {"ok": True}
    (request,) = chat.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    assert request["json"]["model"] == "test-model"
    assert request["json"]["response_format"] == {"type": "json_object"}
    assert request["json"]["messages"] == [{"role": "user", "content": "hi"}]


def test_client_without_key_sends_no_auth_header(chat):
    chat.reply({"ok": True})
    client_for(chat, api_key=None).complete_json([{"role": "user", "content": "hi"}], "probe")
    assert "Authorization" not in chat.requests[0]["headers"]


def test_client_keeps_query_string_after_path(chat):
    chat.reply({"ok": True})
    ChatClient(chat.base_url + "/?api-version=2024-05-01-preview", "m").complete_json([], "probe")
    assert chat.requests[0]["path"] == "/v1/chat/completions?api-version=2024-05-01-preview"


def test_client_tolerates_fences_and_think_blocks(chat):
    chat.reply('<think>hmm</think>\n```json\n{"a": 1}\n```')
    assert client_for(chat).complete_json([], "probe") == {"a": 1}
    assert parse_json_content('Sure! {"b": [1, 2]} Hope that helps.') == {"b": [1, 2]}


def test_client_non_json_answer(chat):
    chat.reply("I think it is true.")
    with pytest.raises(LLMError, match=r"answer for probe is not JSON: 'I think it is true.'"):
        client_for(chat).complete_json([], "probe")


def test_client_retries_500_then_succeeds(chat):
    chat.reply("overloaded", status=500).reply({"ok": 1})
    assert client_for(chat).complete_json([], "probe") == {"ok": 1}
    assert len(chat.requests) == 2


def test_client_gives_up_on_persistent_503(chat):
    for _ in range(3):
        chat.reply("busy", status=503)
    with pytest.raises(LLMError, match=r"HTTP 503: busy \(gave up after 3 attempts\)"):
        client_for(chat).complete_json([], "probe")
    assert len(chat.requests) == 3


def test_client_does_not_retry_401(chat):
    chat.reply("invalid api key", status=401)
    with pytest.raises(LLMError, match=r"returned HTTP 401: invalid api key$"):
        client_for(chat).complete_json([], "probe")
    assert len(chat.requests) == 1


def test_client_timeout(chat):
    chat.reply({"late": True}, delay=5).reply({"late": True}, delay=5)
    started = time.monotonic()
    with pytest.raises(LLMError, match=r"timed out \(timeout 0.5s.*gave up after 2 attempts"):
        client_for(chat, timeout=0.5, max_retries=1).complete_json([], "probe")
    assert time.monotonic() - started < 3
    assert len(chat.requests) == 2  # timeouts are retried


def test_client_unreachable_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ChatClient(f"http://127.0.0.1:{port}/v1", "m", timeout=1.0, backoff=0.01)
    with pytest.raises(LLMError, match=rf"127.0.0.1:{port}/v1/chat/completions is unreachable.*3 attempts"):
        client.complete_json([], "probe")


def test_client_config_errors(tmp_path):
    settings = Settings(home=tmp_path, llm_base_url=None, llm_model="m")
    with pytest.raises(ConfigError, match="base URL is missing"):
        ChatClient.from_settings(settings)
    with pytest.raises(ConfigError, match="model is missing"):
        ChatClient.from_settings(Settings(home=tmp_path, llm_base_url="http://x/v1", llm_model=None))
    with pytest.raises(ConfigError, match="'ftp://x' must be an http"):
        ChatClient("ftp://x", "m")
    assert issubclass(LLMError, FactcheckError)


def test_client_from_settings_sends_secret_key(chat, tmp_path):
    settings = Settings(home=tmp_path, llm_base_url=chat.base_url, llm_model="qwen", llm_api_key=SecretStr("s3"),
                        llm_timeout=2)
    chat.reply({"ok": True})
    client = ChatClient.from_settings(settings)
    client.complete_json([], "probe")
    assert (client.model, client.timeout) == ("qwen", 2)
    assert chat.requests[0]["headers"]["Authorization"] == "Bearer s3"


def test_canned_transport_double():
    transport = CannedTransport({"x": 1}, "```json\n{\"y\": 2}\n```")
    client = ChatClient("http://llm.invalid/v1", "m", transport=transport)
    assert client.complete_json([], "a") == {"x": 1}
    assert client.complete_json([], "b") == {"y": 2}
    assert transport.requests[0]["model"] == "m"


def test_schema_error_names_path(validator):
    schema = {"type": "object", "required": ["xs"], "properties": {"xs": {"type": "array", "items": {"type": "integer"}}}}
    assert schema_error({"xs": [1, 2]}, schema) is None
    assert schema_error({"xs": [1, "two"]}, schema).startswith("xs/1: 'two' is not of type 'integer'")
    assert "'xs' is a required property" in schema_error({}, schema)


# --- verifier -------------------------------------------------------------------------------------

def test_verifier_happy_path(chat, validator):
    chat.reply({"label": "REFUTED", "confidence": 0.8, "cited": [3],
                "stances": {"1": "neutral", "2": "neutral", "3": "refutes"}})
    chat.reply({"label": "supported", "confidence": 0.95, "cited": [1]})
    verifier = LLMVerifier(client_for(chat))
    assert (verifier.name, verifier.version) == ("llm:test-model", "1")
    claims = ["Acme shipped 5 million phones in 2023.", "Nobody knows.", "Acme shipped 4 million phones in 2023."]
    verdicts = verifier.verify(claims, [HITS, [], HITS])

    refuted, empty, supported = verdicts
    assert refuted.label is Label.REFUTED and refuted.confidence == 0.8
    assert [e.passage_id for e in refuted.evidence] == [13, 11, 12]
    assert [e.stance for e in refuted.evidence] == [Stance.REFUTES, Stance.NEUTRAL, Stance.NEUTRAL]
    assert refuted.evidence[0].score == 0.8 and refuted.evidence[1].score == 0.0
    assert empty.label is Label.NOT_ENOUGH_INFO and empty.evidence == ()
    assert supported.label is Label.SUPPORTED
    assert supported.evidence[0].passage_id == 11 and supported.evidence[0].stance is Stance.SUPPORTS

    assert len(chat.requests) == 2  # no request for a claim without passages
    prompt = chat.requests[0]["json"]["messages"][-1]["content"]
    assert claims[0] in prompt and "[3] (source: src-c) Shipments of the Acme phone" in prompt


@pytest.mark.parametrize("content, problem", [
    ("The claim is refuted.", r"claim 0 .*is not JSON"),
    ({"label": "MAYBE", "confidence": 0.5, "cited": []}, r"claim 0 .*label: 'MAYBE' is not one of"),
    ({"label": "SUPPORTED", "confidence": 0.9, "cited": [4]}, r"claim 0 .*cited passage 4 is out of range 1\.\.3"),
    ({"label": "SUPPORTED", "confidence": 1.5, "cited": [1]}, r"confidence: 1\.5 is greater than the maximum"),
    ({"label": "REFUTED", "confidence": 0.5, "cited": []}, r"label REFUTED cites no passage"),
    ({"label": "REFUTED", "confidence": 0.5}, r"'cited' is a required property"),
    ({"label": "REFUTED", "confidence": 0.5, "cited": [1], "stances": {"9": "refutes"}},
     r"stances key '9' is not a passage number in 1\.\.3"),
])
def test_verifier_malformed_answer(chat, validator, content, problem):
    chat.reply(content)
    with pytest.raises(LLMError, match=problem) as info:
        LLMVerifier(client_for(chat)).verify(["Acme shipped 5 million phones."], [HITS])
    assert "\n" not in str(info.value)


def test_verifier_names_the_failing_claim_index(chat):
    chat.reply({"label": "SUPPORTED", "confidence": 0.9, "cited": [1]}).reply({"label": "NOPE"})
    with pytest.raises(LLMError, match=r"^invalid LLM verdict for claim 1 \('second claim'\)"):
        LLMVerifier(client_for(chat)).verify(["first claim", "second claim"], [HITS, HITS])


def test_verifier_wraps_transport_errors_with_claim(chat):
    chat.reply("boom", status=400)
    with pytest.raises(LLMError, match=r"^claim 0 \('c'\): LLM endpoint .* returned HTTP 400: boom"):
        LLMVerifier(client_for(chat)).verify(["c"], [HITS])


# --- claim extractor ------------------------------------------------------------------------------

ARTICLE = Document(
    id="a1",
    title="Acme's quarter",
    published=date(2024, 5, 2),
    text=("Acme said yesterday that it shipped 4 million phones in the first quarter.  The chief executive,\n"
          "Jane Roe, called the results “a turning point”. We think the phones are great.\n\n"
          "Revenue reportedly rose to about $2.1 billion, up 12% from a year earlier."),
)


def test_extractor_happy_path(chat, validator):
    quotes = [
        "it shipped 4 million phones in the first quarter",                     # exact
        "the chief executive, jane roe, called the results \"a turning point\"",  # case, space, quote marks
        "Revenue rose to about $2.1 billion, up 12% from the year before",      # fuzzy: the sentence
        "Acme opened a factory in Ohio",                                       # not in the article
        "We think the phones are great",                                       # below threshold
    ]
    chat.reply({"claims": [
        {"claim": "Acme shipped 4 million phones in Q1 2024.", "quote": quotes[0], "checkworthiness": 0.9},
        {"claim": "Jane Roe is Acme's chief executive.", "quote": quotes[1], "checkworthiness": 0.7},
        {"claim": "Acme's revenue reportedly rose to about $2.1 billion.", "quote": quotes[2], "checkworthiness": 0.8},
        {"claim": "Acme opened a factory in Ohio.", "quote": quotes[3], "checkworthiness": 0.8},
        {"claim": "The phones are great.", "quote": quotes[4], "checkworthiness": 0.1},
    ]})
    extractor = LLMClaimExtractor(client_for(chat))
    claims = extractor.extract(ARTICLE)

    assert extractor.name == "llm" and extractor.last_dropped == 1
    assert [c.text for c in claims] == ["Acme shipped 4 million phones in Q1 2024.",
                                        "Jane Roe is Acme's chief executive.",
                                        "Acme's revenue reportedly rose to about $2.1 billion."]
    text = ARTICLE.text
    exact, loose, fuzzy = (text[c.start:c.end] for c in claims)
    assert exact == quotes[0]
    assert " ".join(loose.lower().split()).replace("“", '"').replace("”", '"') == quotes[1]
    assert fuzzy == "Revenue reportedly rose to about $2.1 billion, up 12% from a year earlier."
    assert all(c.article_id == "a1" for c in claims) and claims[0].checkworthiness == 0.9

    messages = chat.requests[0]["json"]["messages"]
    assert "Published: 2024-05-02" in messages[-1]["content"] and text in messages[-1]["content"]
    assert "atomic" in messages[0]["content"].lower() and "hedges" in messages[0]["content"].lower()


@pytest.mark.parametrize("content, problem", [
    ("Here are the claims: none", r"article 'a1': LLM answer for claims is not JSON"),
    ({"facts": []}, r"invalid LLM claims for article 'a1': answer: 'claims' is a required property"),
    ({"claims": [{"claim": "x", "quote": "y", "checkworthiness": "high"}]},
     r"claims/0/checkworthiness: 'high' is not of type 'number'"),
])
def test_extractor_malformed_answer(chat, validator, content, problem):
    chat.reply(content)
    with pytest.raises(LLMError, match=problem):
        LLMClaimExtractor(client_for(chat)).extract(ARTICLE)


def test_locate_quote_gives_up_on_unrelated_text():
    assert locate_quote(ARTICLE.text, "Quantum computers will replace laptops by 2030") is None
    assert locate_quote(ARTICLE.text, "   ") is None
