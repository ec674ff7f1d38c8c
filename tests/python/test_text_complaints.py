"""cem.text.complaints on a labelled set written for this test.

A comment is labelled a complaint (1) when the customer reports a grievance the company
should act on: something went wrong, they want money back, to cancel, to escalate, or they
say they will leave. Praise, neutral questions and information, and positive mentions of the
cue words ("thanks for the refund") are not complaints (0). The labels were written before
the detector was run on them; the precision and recall printed by the test are the figures
reported in the README (floor asserted: 0.8 each).
"""

import pandas as pd
import pytest

import cem
import cem.text

COMPLAINTS = [
    "I want a refund now.",
    "Where is my refund? It has been three weeks.",
    "Please cancel my subscription immediately.",
    "I want to cancel my order.",
    "Let me speak to a manager.",
    "I demand to speak to your supervisor!",
    "Never again. Worst store ever.",
    "I will never order from you again.",
    "I was on hold for 45 minutes and then got cut off.",
    "Still waiting for a reply to my email.",
    "Nobody answered the phone all day.",
    "No one called me back as promised.",
    "You charged me twice for the same order.",
    "I was overcharged on my last bill.",
    "The package arrived damaged.",
    "My parcel never arrived.",
    "The item was missing from the box.",
    "You sent me the wrong size.",
    "Delivery was late again.",
    "My order has been delayed for the third time.",
    "The app keeps crashing when I pay.",
    "The coffee machine stopped working after a week.",
    "The product is defective.",
    "The staff were rude and unhelpful.",
    "This is unacceptable.",
    "Absolutely ridiculous service.",
    "Terrible experience from start to finish.",
    "Horrible customer service.",
    "The food was awful and cold.",
    "Your support is useless.",
    "I am fed up with your excuses.",
    "Very disappointed with the quality.",
    "I want my money back.",
    "I am filing a complaint with the ombudsman.",
    "I will report you to consumer protection.",
    "This is a scam.",
    "Total rip off, do not buy.",
    "I lost an hour of my life in your queue.",
    "I was promised a callback and never got one.",
    "The technician never came.",
    "Worst purchase I have ever made.",
    "My card was charged but the order was cancelled.",
    "The refund still has not arrived.",
    "Close my account please, I am switching to another bank.",
    "Nothing works on your website.",
    "Your driver threw the parcel over the fence and broke it.",
    "The room was dirty and smelled bad.",
    "I hate this new update, it broke everything.",
    "Waited two hours for a table, disgraceful.",
    "The agent hung up on me.",
    "Cancelled my flight without any notice.",
    "I have complained three times and nothing changed.",
    "I need compensation for the ruined weekend.",
    "The battery died after two days, what a waste of money.",
    "The shoes fell apart after one wear.",
    "Wrong order delivered and no response from support.",
    "I am very angry about the hidden fees.",
    "Your prices went up but the service got worse.",
    "Good food but the waiter was rude and the bill was wrong.",
    "The hold music is driving me crazy, nobody picks up.",
]

NOT_COMPLAINTS = [
    "Thanks for the quick refund!",
    "The refund arrived in two days, great service.",
    "Great service, thank you!",
    "The staff were friendly and helpful.",
    "I love the new app design.",
    "Delivery was fast and the box was well packed.",
    "Best pizza in town.",
    "The agent solved my problem quickly.",
    "Very happy with my purchase.",
    "Excellent quality for the price.",
    "How do I change my delivery address?",
    "What are your opening hours on Sunday?",
    "Do you ship to Canada?",
    "Can I pay with a gift card?",
    "I would like to order two more of these.",
    "Please send me the invoice for my order.",
    "The store is on the corner of Main Street.",
    "I bought this for my mother.",
    "It arrived on Tuesday.",
    "Nice selection of cheeses.",
    "The manager was very kind and helped me choose.",
    "Cancelling was easy and the staff were lovely about it.",
    "Smooth checkout, no problems at all.",
    "Not bad at all, would buy again.",
    "The late opening hours are really convenient.",
    "Keep up the good work!",
    "Wonderful experience, highly recommend.",
    "The new menu is great.",
    "Fast replies from support, well done.",
    "Clean rooms and a friendly reception.",
    "I am happy with the replacement you sent.",
    "Your team went above and beyond.",
    "Good value, will come again.",
    "The instructions were clear.",
    "It does what it says.",
    "Thank you for fixing my account so fast.",
    "The courier was polite.",
    "Loved the free samples.",
    "Everything was perfect.",
    "The website is easy to use.",
    "Okay experience overall.",
    "I received my order today.",
    "Can you tell me when the sale starts?",
    "My daughter loves the toy.",
    "Great prices and friendly staff.",
    "The coffee was hot and fresh.",
    "Support answered within minutes, impressive.",
    "I like the loyalty program.",
    "Thanks, the issue is resolved.",
    "Good job on the new packaging.",
    "The app update fixed the crash, thanks!",
    "The hotel was lovely and the bed comfortable.",
    "Quick and easy returns, thank you.",
    "I would recommend this shop to friends.",
    "Is the blue version still in stock?",
    "Very satisfied with the service today.",
    "The delivery guy was super nice.",
    "Prices are fair.",
    "Happy customer here!",
    "Fantastic support team.",
    "The room had a beautiful view.",
    "Your chat assistant was helpful.",
]


def test_labelled_set_is_large_enough():
    assert len(COMPLAINTS) + len(NOT_COMPLAINTS) >= 100
    assert not set(COMPLAINTS) & set(NOT_COMPLAINTS)


def test_precision_and_recall_on_the_labelled_set():
    texts = COMPLAINTS + NOT_COMPLAINTS
    truth = [True] * len(COMPLAINTS) + [False] * len(NOT_COMPLAINTS)
    found = cem.text.complaints(texts)["is_complaint"].tolist()
    tp = sum(f and t for f, t in zip(found, truth))
    fp = sum(f and not t for f, t in zip(found, truth))
    fn = sum(t and not f for f, t in zip(found, truth))
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    missed = [x for x, f, t in zip(texts, found, truth) if t and not f]
    wrong = [x for x, f, t in zip(texts, found, truth) if f and not t]
    print(f"n={len(texts)} tp={tp} fp={fp} fn={fn} precision={precision:.3f} recall={recall:.3f}")
    print("missed:", missed)
    print("false alarms:", wrong)
    assert precision >= 0.8, (precision, wrong)
    assert recall >= 0.8, (recall, missed)


def test_verdicts_follow_the_documented_rule():
    out = cem.text.complaints(COMPLAINTS + NOT_COMPLAINTS)
    for _, row in out.iterrows():
        has_cue = len(row["cues"]) > 0
        rule = (has_cue and row["compound"] < 0.25) or row["compound"] <= -0.5
        assert row["is_complaint"] == rule
    assert all(set(cues) <= set(cem.text.COMPLAINT_CUES) for cues in out["cues"])
    sentiment = cem.text.sentiment(COMPLAINTS + NOT_COMPLAINTS)
    assert out["compound"].tolist() == sentiment["compound"].tolist()


def test_single_text_and_frames():
    assert cem.text.is_complaint("Cancel my order, the delivery is late.")
    assert not cem.text.is_complaint("Thanks for the quick refund!")
    s = pd.Series(["Never again.", "Lovely."], index=["a", "b"])
    out = cem.text.complaints(s)
    assert list(out.index) == ["a", "b"] and out["is_complaint"].tolist() == [True, False]
    with pytest.raises(cem.InvalidArgumentError, match="position 0 is missing"):
        cem.text.complaints([None])
