"""Regenerate the sample datasets byte for byte: `python sample_data/make_samples.py`.

Every file is built from a fixed seed, and every defect is planted on purpose at a known place;
`sample_data/README.md` lists them. Nothing here reads the network or the clock.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261125

FIRST = ["Maria", "James", "Aiko", "Tomasz", "Priya", "Lena", "Omar", "Chen", "Sofia", "Dev",
         "Grace", "Lucas", "Fatima", "Noah", "Ines", "Jonas", "Amara", "Ravi", "Elena",
         "Sam"]  # fmt: skip
PRODUCTS = ["Pro plan", "Team plan", "Starter plan", "mobile app", "desktop client",
            "API", "dashboard", "analytics add-on", "storage add-on", "web editor"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

OPENERS = [
    "Hi there,", "Hello support team,", "Good morning,", "Hey,", "Hi,", "Dear support,",
    "Hello,", "Hi team,", "Good afternoon,", "To whom it may concern,", "", "", "",
]  # fmt: skip
CLOSERS = [
    "Thanks in advance.", "Please advise.", "Any help is appreciated.", "Thank you!",
    "Looking forward to your reply.", "This is urgent for us.", "Cheers,", "Regards,",
    "Can someone look into this today?", "", "", "",
]  # fmt: skip

BILLING = [
    "I was charged {amount} twice for the {product} this month.",
    "My invoice for {month} shows {amount} but our contract says {amount2}.",
    "Please refund the {amount} charge from {month} {day}; we cancelled before renewal.",
    "The card ending {last4} was declined although it has funds.",
    "Can you send a VAT invoice for order {order}? Our accounting needs it.",
    "We downgraded to the {product} but are still billed the old price of {amount}.",
    "Why did my bill go up from {amount2} to {amount} without notice?",
    "I need to change the billing address on our {product} subscription.",
    "The payment for invoice {invoice} failed and now the account shows overdue.",
    "There is a {amount} charge I do not recognise on my statement from {month}.",
    "How do I switch from monthly to yearly billing for the {product}?",
    "Our purchase order {order} must appear on every invoice, it is missing on the last one.",
    "I was promised a {pct}% discount for the {product} but it was not applied.",
    "Please cancel the automatic renewal and confirm no further charges.",
    "The receipt for {month} is missing the company tax number.",
    "We paid invoice {invoice} by bank transfer on {month} {day} but it still shows unpaid.",
]
TECHNICAL = [
    "The {product} crashes as soon as I open a project larger than {size} MB.",
    "Since the update on {month} {day} the {product} shows error code {code}.",
    "Exports to CSV from the {product} are empty even though the table has rows.",
    "The {product} is very slow, pages take {secs} seconds to load.",
    "I get a 500 error when calling the {product} with a batch of {count} records.",
    "Sync between the {product} and the mobile app stopped working yesterday.",
    "Two-factor codes arrive {secs} minutes late so login times out.",
    "The webhook to our endpoint fails with a timeout after {secs} seconds.",
    "Charts in the {product} do not render in Firefox, only a blank area.",
    "Uploading files over {size} MB fails at {pct}% with no message.",
    "Search in the {product} returns nothing for words with accents.",
    "After installing version {version} the {product} will not start on Windows.",
    "Notifications from the {product} stopped completely for our whole team.",
    "The API rate limit seems to trigger at {count} requests instead of the documented limit.",
    "Dark mode makes the text in the {product} unreadable in some dialogs.",
    "Our SSO login loops back to the sign-in page after the {month} change.",
    "Scheduled reports from the {product} were not sent on {month} {day}.",
]
ACCOUNT = [
    "I cannot reset my password, the reset email never arrives.",
    "Please add {name} as an admin to our workspace.",
    "How do I transfer ownership of the account to {name}?",
    "Our account was locked after too many login attempts.",
    "I want to delete my account and all personal data.",
    "Please change the email on my account to {email}.",
    "Two accounts were created for me by mistake, can you merge them?",
    "I no longer have access to the phone number {phone} used for verification.",
    "Can you remove {name} from our team, they left the company?",
    "The username on my profile is wrong and I cannot edit it.",
    "How do I enable single sign-on for the whole organisation?",
    "My colleague {name} never received the invitation to join the team.",
]

INTRO_DETAILS = [
    "We have been customers since {year}.", "This started around {month} {day}.",
    "Our team has {count} users.", "I already tried logging out and in again.",
    "My colleague sees the same thing.", "It happens every time.", "",
    "Order reference {order}.", "You can reach me at {email}.", "My number is {phone}.",
    "We are on the {product}.", "", "",
]  # fmt: skip


def _fill(rng: random.Random, template: str) -> str:
    name = rng.choice(FIRST)
    values = {
        "amount": f"${rng.randint(9, 900)}.{rng.randint(0, 99):02d}",
        "amount2": f"${rng.randint(9, 900)}.{rng.randint(0, 99):02d}",
        "product": rng.choice(PRODUCTS),
        "month": rng.choice(MONTHS),
        "day": rng.randint(1, 28),
        "last4": rng.randint(1000, 9999),
        "order": f"ORD-{rng.randint(10000, 99999)}",
        "invoice": f"INV-{rng.randint(2024, 2026)}-{rng.randint(100, 9999):04d}",
        "pct": rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 75, 90]),
        "size": rng.choice([10, 25, 50, 100, 250, 500, 2000]),
        "code": f"E{rng.randint(100, 999)}",
        "secs": rng.randint(3, 90),
        "count": rng.randint(2, 5000),
        "version": f"{rng.randint(2, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        "name": name,
        "email": f"{name.lower()}.{rng.randint(1, 99)}@example.com",
        "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "year": rng.randint(2015, 2025),
    }
    return template.format(**values)


def _ticket(rng: random.Random, templates: list[str]) -> str:
    parts = [
        rng.choice(OPENERS),
        _fill(rng, rng.choice(templates)),
        _fill(rng, rng.choice(INTRO_DETAILS)),
        _fill(rng, rng.choice(templates)) if rng.random() < 0.35 else "",
        rng.choice(CLOSERS),
    ]
    return " ".join(p for p in parts if p)


def _unique_ticket(rng: random.Random, templates: list[str], seen: set[str]) -> str:
    """A ticket whose text (case and spacing aside) was not generated before: the only
    repeats in the samples are the planted ones."""
    while True:
        text = _ticket(rng, templates)
        key = " ".join(text.lower().split())
        if key not in seen:
            seen.add(key)
            return text


def make_tickets(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Department-labelled tickets with planted defects, plus an eval set that leaks 12 rows."""
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    plan = [("Billing", BILLING, 1180), ("Technical", TECHNICAL, 1420), ("Account", ACCOUNT, 412)]
    for department, templates, count in plan:
        rows.extend(
            {"text": _unique_ticket(rng, templates, seen), "department": department}
            for _ in range(count)
        )
    rows.extend(
        {"text": _unique_ticket(rng, BILLING, seen), "department": "billing "} for _ in range(37)
    )
    rng.shuffle(rows)
    for i, row in enumerate(rows):
        row["id"] = f"TCK-{i + 1:05d}"
    originals = rng.sample(range(len(rows)), 30)
    duplicates = [dict(rows[i]) for i in originals[:24]]
    conflicts = []
    for i in originals[24:27]:
        twin = dict(rows[i])
        twin["department"] = "Technical" if rows[i]["department"] != "Technical" else "Account"
        conflicts.append(twin)
    empties = [{"text": text, "department": "Technical"} for text in ("", "   ", "", "\t", "")]
    for extra in duplicates + conflicts + empties:
        position = rng.randrange(len(rows) + 1)
        rows.insert(position, extra)
    for i, row in enumerate(rows):
        row["id"] = f"TCK-{i + 1:05d}"
    eval_rows = []
    for _ in range(300):
        department, templates, _n = rng.choice(plan)
        eval_rows.append({"text": _unique_ticket(rng, templates, seen), "department": department})
    for k, i in enumerate(rng.sample(range(len(rows)), 12)):
        leaked = dict(rows[i])
        if k >= 8 and isinstance(leaked["text"], str):
            leaked["text"] = "  " + leaked["text"].upper() + " "
        eval_rows.insert(rng.randrange(len(eval_rows) + 1), leaked)
    for i, row in enumerate(eval_rows):
        row["id"] = f"EVL-{i + 1:05d}"
    return rows, eval_rows


def _jsonl(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


ISSUE_TYPES = ["refund", "late_delivery", "damaged_item", "wrong_item", "cancellation"]
PRIORITIES = ["low", "medium", "high"]
EMAIL_BODIES = {
    "refund": "I returned the blender from order {order} two weeks ago and still have no refund.",
    "late_delivery": "Order {order} was due on {month} {day} and has not arrived yet.",
    "damaged_item": "The lamp in order {order} arrived with a cracked base.",
    "wrong_item": "I ordered a blue jacket (order {order}) but received a red one.",
    "cancellation": "Please cancel order {order}, I placed it by mistake.",
}
SYSTEM = "Extract order_id, issue_type and priority from the customer email. Reply with JSON only."


def make_orders_chat(rng: random.Random) -> list[dict[str, object]]:
    """Chat-format extraction data: the assistant replies with a JSON object of fixed fields."""
    rows = []
    for _ in range(640):
        issue = rng.choices(ISSUE_TYPES, weights=[30, 30, 20, 15, 5])[0]
        priority = rng.choices(PRIORITIES, weights=[30, 50, 20])[0]
        order = f"ORD-{rng.randint(10000, 99999)}"
        body = EMAIL_BODIES[issue].format(
            order=order, month=rng.choice(MONTHS), day=rng.randint(1, 28)
        )
        detail = _fill(rng, rng.choice(INTRO_DETAILS))
        email = f"{rng.choice(OPENERS)} {body} {detail} {rng.choice(CLOSERS)}"
        answer = {"order_id": order, "issue_type": issue, "priority": priority}
        rows.append(
            {
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": " ".join(email.split())},
                    {"role": "assistant", "content": json.dumps(answer)},
                ]
            }
        )
    picks = rng.sample(range(len(rows)), 14)
    for i in picks[:3]:  # assistant reply is not JSON
        rows[i]["messages"][2]["content"] = "The order id is ORD-" + str(rng.randint(10000, 99999))
    for i in picks[3:6]:  # a key is missing
        answer = json.loads(rows[i]["messages"][2]["content"])
        del answer["priority"]
        rows[i]["messages"][2]["content"] = json.dumps(answer)
    for i in picks[6:8]:  # a field changes type
        answer = json.loads(rows[i]["messages"][2]["content"])
        answer["priority"] = 2
        rows[i]["messages"][2]["content"] = json.dumps(answer)
    for i in picks[8:10]:  # a label spelled another way inside the output
        answer = json.loads(rows[i]["messages"][2]["content"])
        answer["issue_type"] = "Refund "
        rows[i]["messages"][2]["content"] = json.dumps(answer)
    for i in picks[10:12]:  # wrong order: the reply comes before the question
        m = rows[i]["messages"]
        rows[i]["messages"] = [m[0], m[2], m[1]]
    for i in picks[12:14]:  # an empty user message
        rows[i]["messages"][1]["content"] = ""
    return rows


TOPICS = [
    ("reset the router", "Unplug the router for 30 seconds, plug it back in, wait for the "
     "status light to turn solid green, then reconnect your device."),
    ("clear the app cache", "Open Settings > Apps > {product} > Storage, tap Clear cache, "
     "then restart the app."),
    ("export my data", "Go to Settings > Data > Export, choose CSV or JSON, and we e-mail a "
     "download link within 15 minutes."),
    ("enable two-factor login", "Open Profile > Security, choose Two-factor authentication, "
     "scan the QR code with an authenticator app and enter the 6-digit code."),
    ("connect the API", "Create a key under Settings > API, send it in the Authorization "
     "header as 'Bearer <key>', and call /v1/status to test it."),
    ("fix sync errors", "Sign out on every device, update the {product} to the latest "
     "version, sign in again and wait for the first full sync to finish."),
]  # fmt: skip


ASKS = [
    "How do I {topic} in the {product}?",
    "What is the right way to {topic} on the {product}?",
    "Can you walk me through how to {topic} for the {product}?",
    "I need to {topic} in the {product}, what are the steps?",
    "Is there a guide to {topic} with the {product}?",
    "Where do I go to {topic} in the {product}?",
]
CONTEXTS = [
    "I am on a {device} and {mood}.",
    "Our {team} asked me to sort this out before {when}.",
    "I tried the help centre but {mood}.",
    "This is for a {team} of {size} people.",
    "We only started using it {when_past}.",
    "",
]
DEVICES = ["Windows laptop", "MacBook", "Android phone", "iPhone", "Chromebook", "Linux desktop"]
MOODS = ["could not find the option", "the menu looks different", "nothing happened",
         "it keeps failing", "I am not sure which setting it is"]  # fmt: skip
TEAMS = ["finance team", "support team", "sales team", "design team", "IT department"]
WHENS = ["Friday", "the end of the month", "our audit", "the next release", "tomorrow"]
WHENS_PAST = ["last week", "this month", "yesterday", "after the migration", "in spring"]


def make_prompt_completion(rng: random.Random) -> list[dict[str, object]]:
    """Standardised troubleshooting answers: a clean set that meets its profile (500+ pairs)."""
    rows = []
    seen: set[tuple[str, str]] = set()
    while len(rows) < 560:
        topic, answer = rng.choice(TOPICS)
        product = rng.choice(PRODUCTS)
        question = rng.choice(ASKS).format(topic=topic, product=product)
        shape = rng.choice(CONTEXTS)
        if (question, shape) in seen:
            continue  # one slot apart from an earlier prompt: a near duplicate
        seen.add((question, shape))
        context = shape.format(
            device=rng.choice(DEVICES), mood=rng.choice(MOODS), team=rng.choice(TEAMS),
            when=rng.choice(WHENS), when_past=rng.choice(WHENS_PAST), size=rng.randint(3, 400),
        )  # fmt: skip
        prompt = f"{rng.choice(OPENERS)} {question} {context}".strip()
        rows.append(
            {
                "prompt": " ".join(prompt.split()) + "\n\n###\n\n",
                "completion": " " + answer.format(product=product) + " END",
            }
        )
    return rows


def _csv(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "text", "department"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


MALFORMED_AFTER = 1206  # the broken line is line 1,207 of tickets.jsonl


def main() -> None:
    rng = random.Random(SEED)
    tickets, eval_tickets = make_tickets(rng)
    lines = _jsonl(tickets).splitlines(keepends=True)
    broken = json.dumps(
        {"id": "TCK-BROKEN", "text": "My invoice is wrong", "department": "Billing"}
    )
    lines.insert(MALFORMED_AFTER, broken[:-20] + "\n")
    (HERE / "tickets.jsonl").write_text("".join(lines), encoding="utf-8", newline="\n")
    (HERE / "tickets_eval.jsonl").write_text(_jsonl(eval_tickets), encoding="utf-8", newline="\n")
    (HERE / "tickets.csv").write_text(_csv(tickets), encoding="utf-8", newline="\n")
    (HERE / "orders_chat.jsonl").write_text(
        _jsonl(make_orders_chat(rng)), encoding="utf-8", newline="\n"
    )
    (HERE / "troubleshooting_prompt_completion.jsonl").write_text(
        _jsonl(make_prompt_completion(rng)), encoding="utf-8", newline="\n"
    )


if __name__ == "__main__":
    main()
