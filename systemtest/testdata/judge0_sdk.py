"""Drives CodeMentor's Judge0 API with the official Judge0 Python SDK
(judge0==0.0.8), unchanged, as a Judge0 user would: for systemtest's
TestJudge0SDK.

    python judge0_sdk.py BASE_URL TOKEN PROGRAMS_JSON

PROGRAMS_JSON maps each Judge0 language id to a program that reads a name
and prints "hello, <name>". Prints one JSON object (the languages offered
and the failures) and exits 1 if anything failed.
"""

import json
import sys

import judge0
from judge0 import Status

base, token, programs_path = sys.argv[1:4]
with open(programs_path) as f:
    programs = json.load(f)

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def show(s):
    return (
        f"status={s.status!r} stdout={s.stdout!r} stderr={s.stderr!r} "
        f"compile_output={s.compile_output!r} message={s.message!r}"
    )


# A Judge0 client of a self-hosted instance: its base URL and Judge0's
# X-Auth-Token header. Never wait forever.
client = judge0.Client(
    base + "/judge0",
    headers={"X-Auth-Token": token},
    retry_strategy=judge0.MaxWaitTime(240),
)
check(client.version == "1.13.1", f"version {client.version!r}")
check(client.config.max_submission_batch_size == 20, f"config {client.config!r}")
offered = sorted(lang.id for lang in client.languages)

# Every language offered, all at once: judge0.run of a submission per
# language with two test cases, one right, one wrong (the SDK makes a
# submission of each pair, in language order).
langs = []
for lid in offered:
    if str(lid) in programs:
        langs.append(lid)
    else:
        failures.append(f"language {lid} is offered, but the test has no program for it")
done = judge0.run(
    client=client,
    submissions=[judge0.Submission(source_code=programs[str(lid)], language=lid) for lid in langs],
    test_cases=[("Judge0\n", "hello, Judge0"), ("World\n", "hello, Mars")],
)
check(len(done) == 2 * len(langs), f"run: {len(done)} submissions for {len(langs)} languages")
for i, lid in enumerate(langs):
    right, wrong = done[2 * i], done[2 * i + 1]
    check(
        right.status == Status.ACCEPTED and right.stdout == "hello, Judge0\n",
        f"language {lid}, right: {show(right)}",
    )
    check(
        wrong.status == Status.WRONG_ANSWER and wrong.stdout == "hello, World\n",
        f"language {lid}, wrong: {show(wrong)}",
    )
    check(right.time is not None and right.memory is not None and right.token is not None, f"language {lid}: {right!r}")

# judge0.execute with a language alias, one submission with stdin.
s = judge0.execute(client=client, source_code='print("hi", input())', language=judge0.PYTHON, stdin="there")
check(isinstance(s, judge0.Submission) and s.status == Status.ACCEPTED and s.stdout == "hi there\n", f"execute: {show(s)}")
check(s.created_at is not None and s.finished_at is not None and s.finished_at >= s.created_at, f"execute times: {s!r}")

# judge0.async_execute then judge0.wait, more test cases than a batch takes:
# the SDK sends two batches, and reads them back in two.
n = client.config.max_submission_batch_size + 5
cases = [(f"{i}\n", f"{2 * i}\n") for i in range(n)]
subs = judge0.async_execute(
    client=client, source_code="print(2 * int(input()))", language=judge0.PYTHON, test_cases=cases
)
check(len(subs) == n and all(s.token for s in subs), f"async_execute: {len(subs)} submissions")
judge0.wait(client=client, submissions=subs)
for i, s in enumerate(subs):
    check(s.status == Status.ACCEPTED and s.stdout == f"{2 * i}\n", f"batch case {i}: {show(s)}")

# Failures as Judge0 reports them.
s = judge0.run(client=client, source_code="import sys\nsys.exit(3)\n", language=judge0.PYTHON)
check(s.status == Status.RUNTIME_ERROR_NZEC and s.exit_code == 3, f"exit 3: {show(s)} exit_code={s.exit_code}")
if 50 in offered:
    s = judge0.run(client=client, source_code="int main(void) { return 0 }\n", language=judge0.C)
    check(s.status == Status.COMPILATION_ERROR and s.compile_output, f"compile error: {show(s)}")

print(json.dumps({"offered": offered, "failures": failures}))
sys.exit(1 if failures else 0)
