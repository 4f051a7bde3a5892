"""Time the inclusive-language check of one job description of 1,000 words.

    .venv/bin/python bench/language_check.py [--runs 1000] [--words 1000]

The description is a realistic one (a backend engineering role) with a few coded words, cut
to exactly --words words. The first call, which also loads the word lists and compiles the
regex, is timed on its own; then after a warm-up the check runs --runs times and the script
prints p50, p95 and max. Target: p95 under 10 ms. Nothing else is needed: no database, no
network.
"""

from __future__ import annotations

import argparse
import re
import time

from common import ROOT  # noqa: F401  (puts the repository on the import path)

from models.language.check import check_language

TARGET_MS = 10.0
WARMUP = 50

DESCRIPTION = """\
Senior Backend Engineer, Payments Platform

About us

We build the payments platform behind thousands of small online shops across Europe. Our
customers are bakeries, bike repair shops, independent bookshops and craft breweries, and
each of them trusts us with the money that keeps their business open. We are a team of 140
people in Lisbon, Berlin and remote, and we have been profitable for three years.

The role

You will join the ledger team, five engineers and a product manager, who own the services
that record every payment, refund and payout. You will design and build new features, keep
the existing services reliable, and help the team decide what to build next. This is an
ambitious roadmap: over the next year we are moving payouts to real-time rails, adding two
new currencies and replacing a batch reconciliation job with a streaming one.

What you will do

- Design, build and run services in Python and Go that handle millions of requests a day.
- Write clear code with tests, and review your colleagues' changes with care and patience.
- Take part in the on-call rotation, one week in six, with a paid allowance and a day off
  after a busy night.
- Work with product managers and designers to turn a problem into a plan, and the plan into
  small releases that reach customers every week.
- Improve how we observe our systems: metrics, traces and alerts that tell us about a
  problem before a shop owner does.
- Mentor other engineers, and share what you learn in short written notes.
- Lead the design of one major piece of the real-time payouts project.

What we are looking for

- Five or more years of experience building backend services that other people depend on.
- Good knowledge of PostgreSQL: schema design, indexes, transactions and the ways they fail.
- Experience with message queues or event streams, such as Kafka, RabbitMQ or Redis streams.
- A habit of writing things down: design notes, runbooks and helpful commit messages.
- Curiosity about how money moves, and patience for the details of regulation.
- Fluency in English, written and spoken, at the level of a design discussion. German or
  Portuguese is a plus but not a requirement.

You do not need to meet every point on this list. If you have most of them and want to learn
the rest, please apply; we would rather hear from you than not.

How we work

We plan in six-week cycles. At the start of a cycle the team agrees on two or three goals,
each with a short written proposal that anyone in the company can comment on. Between
cycles there are two weeks for clean-up, learning and small improvements of your choice.
We keep meetings short and few: a fifteen-minute check-in three times a week, a planning
session at the start of each cycle and a review at the end.

Most of our communication is written, so people in different time zones and with different
schedules can take part. Core hours are 10:00 to 15:00 Lisbon time; outside those hours you
arrange your day as you like. We do not expect anyone to answer messages in the evening or
at the weekend, and the on-call engineer is the only person paged outside working hours.

We care about sustainable pace. Nobody on the ledger team worked more than their contracted
hours in the last quarter, and we track this. If a deadline would need overtime, we move the
deadline or cut the scope, and we say so early.

Our stack

Services are written in Python 3.12 and Go, and run on Kubernetes in two regions. Data lives
in PostgreSQL, with Redis for caching and rate limits and Kafka for events between services.
We deploy many times a day with a pipeline that runs the tests, a database migration check
and a canary release. Infrastructure is described in Terraform and reviewed like any other
code. You do not need to know all of this on day one; we will teach you what you need.

What we offer

- A salary of 78,000 to 92,000 EUR, depending on experience, reviewed every year, and stock
  options for everyone.
- 30 days of paid holiday plus public holidays, and a week between Christmas and New Year.
- Sixteen weeks of fully paid parental leave for every parent, however they became one.
- A budget of 1,500 EUR a year for learning: books, courses and conferences.
- A home-office budget and a laptop of your choice.
- Flexible hours, part-time options from 60 percent, and remote work from anywhere in the EU.
- Private health insurance for you and your family, including mental health care.

Accessibility

Our offices in Lisbon and Berlin are step-free, with accessible toilets and quiet rooms. If
you need any adjustment during the hiring process, such as extra time, written questions in
advance or a different interview format, tell us and we will arrange it. You do not have to
tell us why.

The hiring process

1. A 30-minute call with someone from the hiring team about the role and your questions.
2. A take-home exercise of about two hours, or a review of code you have already written,
   whichever you prefer. We pay for the time you spend on the exercise.
3. A 90-minute conversation with two engineers about the exercise and a design problem
   from our own work.
4. A 45-minute conversation with the engineering manager about how you like to work.

We aim to give you an answer within two weeks of your first call, and feedback at every step,
whatever the outcome. We are a young company, but we hire people at every stage of their
careers, and about a third of our engineers joined us from other fields.

About the team you would join

The ledger team is five engineers with between two and twenty years of experience, a product
manager and a designer shared with the payouts team. Two of the engineers work part-time,
and three are parents. The team has a standing rule that anyone can stop a release they are
worried about, and a habit of writing a short note after every incident about what we
learned, without blame. The engineering manager has been with the company for four years and
holds a one-to-one with each person every other week.

In your first month you will pair with a different engineer each week, ship a small change
to production in your first days, and read the design notes of the services you will own.
By the end of your third month we expect you to take part in on-call and to lead the design
of one change of your own. We will agree on your goals with you, and review them together.

Equal opportunity

We welcome applications from people of every background, age, gender, sexual orientation,
disability, religion and ethnicity. We are committed to a fair process, and we review our job
descriptions, interview questions and pay bands every year to keep them fair. If anything in
this description would stop you from applying, tell us; we would like to know, and to fix it.
If you would like to talk to someone on the team before you apply, write to the hiring team
and we will set up a short call with one of the engineers, with no preparation needed.
"""


def fit(text: str, words: int) -> str:
    """`text` repeated as needed and cut after its `words`-th word, keeping its line breaks."""
    while len(text.split()) < words:
        text += "\n" + text
    return text[: list(re.finditer(r"\S+", text))[words - 1].end()]


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="timed checks")
    parser.add_argument("--words", type=int, default=1000, help="words in the description")
    return parser.parse_args()


def main() -> int:
    args = options()
    text = fit(DESCRIPTION, args.words)
    started = time.perf_counter()
    report = check_language(text)
    cold = (time.perf_counter() - started) * 1000
    for _ in range(WARMUP):
        check_language(text)
    samples = []
    for _ in range(args.runs):
        started = time.perf_counter()
        check_language(text)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    figures = {
        "description": f"{len(text.split())} words, {len(text)} characters",
        "findings": f"{len(report.findings)} ({report.summary})",
        "first call (load + compile)": f"{cold:.2f} ms",
        "p50": f"{samples[len(samples) // 2]:.2f} ms",
        "p95": f"{p95:.2f} ms",
        "max": f"{samples[-1]:.2f} ms",
        "target": f"p95 < {TARGET_MS:.0f} ms: {'ok' if p95 < TARGET_MS else 'OVER TARGET'}",
    }
    for name, value in figures.items():
        print(f"{name:>28}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
