"""Fuzz the whole HTTP API with schemathesis, from the OpenAPI document the
server serves.

Every documented operation gets cases generated from its schema, valid ones
(positive) and invalid ones (negative: wrong types, missing fields, values
out of range). One case in ten goes without credentials and one in ten with
a wrong API key. Each response must:

* never be a 5xx (``not_a_server_error``);
* have a documented status, content type and body schema
  (``status_code_conformance``, ``content_type_conformance``,
  ``response_schema_conformance``);
* when it is a 4xx, be ``application/problem+json`` whose ``code`` is one of
  the codes the Problem schema enumerates and whose ``status`` is the
  answer's;
* without a valid key on a secured operation, be a 401 ``unauthorized``
  (or a 404 ``not_found`` when the generated path matches no route).

Prints one row per operation and exits non-zero on any failure, or when
fewer cases than ``--min-cases`` were sent.

    python3 prove/fuzz_api.py --url http://127.0.0.1:8369 --db construction_fuzz \
        --api-key KEY --site-id 1
"""

import argparse
import collections
import contextlib
import sys
import time

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

API_PREFIX = "/construction/api/v1"
SCHEMA_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
PROBLEM_TYPE = "application/problem+json"
NO_AUTH, BAD_KEY, VALID_KEY = "none", "bad key", "valid key"


def auth_variant(serial):
    """Which credentials case number ``serial`` is sent with."""
    if serial % 10 == 3:
        return NO_AUTH
    if serial % 10 == 7:
        return BAD_KEY
    return VALID_KEY


def negative_path(case):
    """Whether the case's path parameters were generated invalid."""
    components = case.meta.components if case.meta else {}
    return any(
        str(getattr(location, "value", location)) == "path" and info.mode == GenerationMode.NEGATIVE
        for location, info in components.items()
    )


def problem_failures(response, documented_codes):
    """What is wrong with a 4xx answer, as messages (none when it is a
    proper problem)."""
    # schemathesis' Response: lowercase header names, a list of values each
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if content_type != PROBLEM_TYPE:
        return [f"{response.status_code} answered as {content_type!r}, not {PROBLEM_TYPE}"]
    try:
        body = response.json()
    except ValueError:
        return [f"{response.status_code} problem body is not JSON: {response.text[:200]!r}"]
    if not isinstance(body, dict):
        return [f"{response.status_code} problem body is not an object"]
    code = body.get("code")
    if code not in documented_codes:
        return [f"{response.status_code} problem code {code!r} is not documented"]
    if body.get("status") != response.status_code:
        return [
            f"problem {code!r} says status {body.get('status')}, answered {response.status_code}"
        ]
    return []


class Fuzzer:
    def __init__(self, args, document):
        self.args = args
        self.document = document
        self.documented_codes = set(
            document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
        )
        self.base_url = args.url.rstrip("/") + API_PREFIX
        self.session = requests.Session()
        self.checks = CHECKS.get_by_names(SCHEMA_CHECKS)
        self.serial = 0
        self.rows = []
        self.failures = collections.OrderedDict()  # (operation, message) -> (count, repro)

    def headers(self, variant):
        if variant == VALID_KEY:
            return {"Authorization": f"Bearer {self.args.api_key}"}
        if variant == BAD_KEY:
            return {"Authorization": "Bearer not-a-key-" + "0" * 24}
        return {}

    def secured(self, operation):
        item = self.document["paths"][operation.path][operation.method.lower()]
        return bool(item.get("security", self.document.get("security")))

    @staticmethod
    def problem_code(response):
        try:
            return response.json().get("code")
        except (ValueError, AttributeError):
            return None

    def fail(self, operation, message, case, headers):
        key = (operation, message.splitlines()[0][:160])
        count, repro = self.failures.get(key, (0, None))
        if repro is None:
            repro = case.as_curl_command(headers=headers, base_url=self.base_url)
        self.failures[key] = (count + 1, repro)

    def run_case(self, operation, case, stats):
        self.serial += 1
        variant = auth_variant(self.serial)
        headers = self.headers(variant)
        if variant != VALID_KEY:
            # Generated headers may carry credentials of their own.
            for name in list(case.headers or {}):
                if name.lower() == "authorization":
                    del case.headers[name]
        started = time.perf_counter()
        try:
            response = case.call(
                base_url=self.base_url, session=self.session, headers=headers, timeout=120
            )
        except requests.RequestException as error:
            stats["errors"] += 1
            self.fail(operation.label, f"no answer: {error}", case, headers)
            return
        stats["ms"].append((time.perf_counter() - started) * 1000)
        stats["cases"] += 1
        stats["by_variant"][variant] += 1
        status = response.status_code
        stats["statuses"][status] += 1
        if variant != VALID_KEY and self.secured(operation):
            code = self.problem_code(response)
            # A path that matches no route is not found before anyone is asked
            # for a key (/events/abc): 404 is the right answer there.
            expected = {(401, "unauthorized")}
            if negative_path(case):
                expected.add((404, "not_found"))
            if (status, code) not in expected:
                self.fail(
                    operation.label,
                    f"{variant}: answered {status} {code or ''}, not 401 unauthorized",
                    case,
                    headers,
                )
        if 400 <= status < 500:
            for message in problem_failures(response, self.documented_codes):
                self.fail(operation.label, message, case, headers)
        try:
            case.validate_response(response, checks=self.checks, headers=headers)
        except schemathesis.errors.SchemathesisError as error:
            self.fail(operation.label, f"schemathesis: {error}", case, headers)
        except BaseExceptionGroup as group:
            for failure in group.exceptions:
                self.fail(operation.label, f"{failure.title}: {failure.message}", case, headers)
        except AssertionError as failure:
            self.fail(operation.label, str(failure), case, headers)

    def run_operation(self, operation):
        stats = {
            "cases": 0,
            "errors": 0,
            "ms": [],
            "statuses": collections.Counter(),
            "by_variant": collections.Counter(),
        }
        failures_before = sum(count for count, _ in self.failures.values())
        settings = hypothesis.settings(
            max_examples=self.args.examples,
            deadline=None,
            database=None,
            derandomize=self.args.seed is None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=hypothesis.Verbosity.quiet,
        )
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings
            @given(case=strategy)
            def test(case):
                self.run_case(operation, case, stats)

            if self.args.seed is not None:
                test = hypothesis.seed(self.args.seed)(test)
            # nothing to negate in an operation without parameters or body
            with contextlib.suppress(hypothesis.errors.Unsatisfiable):
                test()
        failures = sum(count for count, _ in self.failures.values()) - failures_before
        self.rows.append((operation.label, stats, failures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="server root, e.g. http://127.0.0.1:8369")
    parser.add_argument("--db", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--site-id", type=int, required=True)
    parser.add_argument(
        "--examples",
        type=int,
        default=75,
        help="at most this many cases per operation and generation mode (positive, negative)",
    )
    parser.add_argument("--min-cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, help="random seed (default: derandomized)")
    args = parser.parse_args()

    base_url = args.url.rstrip("/") + API_PREFIX
    document = requests.get(base_url + "/openapi.json", timeout=30).json()
    load_all_checks()
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=base_url)
    fuzzer = Fuzzer(args, document)
    started = time.perf_counter()
    for result in schema.get_all_operations():
        fuzzer.run_operation(result.ok())
    seconds = time.perf_counter() - started

    total = sum(stats["cases"] for _, stats, _ in fuzzer.rows)
    print(
        f"\nAPI fuzzing with schemathesis {schemathesis.__version__}: {base_url} "
        f"(database {args.db}), {len(fuzzer.rows)} operations"
    )
    print(
        f"{'operation':<32} {'cases':>6} {'no key':>7} {'bad key':>8} {'p95 ms':>7} "
        f"{'fails':>6}  statuses"
    )
    for label, stats, failures in fuzzer.rows:
        ms = sorted(stats["ms"]) or [0]
        p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(stats["statuses"].items()))
        print(
            f"{label:<32} {stats['cases']:>6} {stats['by_variant'][NO_AUTH]:>7} "
            f"{stats['by_variant'][BAD_KEY]:>8} {p95:>7.0f} "
            f"{failures:>6}  {statuses}"
        )
    statuses = collections.Counter()
    for _, stats, _ in fuzzer.rows:
        statuses.update(stats["statuses"])
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    print(
        f"{'total':<32} {total:>6} cases in {seconds:.0f} s; 5xx: {server_errors}; "
        f"failures: {sum(count for count, _ in fuzzer.failures.values())} "
        f"({len(fuzzer.failures)} distinct)"
    )
    for (operation, message), (count, repro) in fuzzer.failures.items():
        print(f"\nFAIL {operation} ({count}x): {message}\n  {repro}")
    problems = []
    if fuzzer.failures:
        problems.append(f"{len(fuzzer.failures)} distinct failures")
    if total < args.min_cases:
        problems.append(f"only {total} cases, fewer than {args.min_cases}")
    if problems:
        print("\nFAILED: " + "; ".join(problems))
        return 1
    print("\nOK: no 5xx, every 4xx a documented problem, every answer as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
