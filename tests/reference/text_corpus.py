"""Sentences for the sentiment tests: vaderSentiment's own examples and feedback we write.

Shared by tests/reference/vader_reference.py (records vaderSentiment's scores for the Rust
test) and tests/python/test_text_sentiment.py (compares live against the package). Plain
Python, no dependencies, deterministic.
"""

import random

# The example sentences of vaderSentiment 3.3.2 (its README and the demo in
# vaderSentiment.py's __main__), word for word.
PACKAGE_EXAMPLES = [
    "VADER is smart, handsome, and funny.",
    "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "The book was good.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad at all",
    "Sentiment analysis has never been good.",
    "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.",
    "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.",
    "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!",
    "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.",
    "Without a doubt, an excellent idea.",
    "It was one of the worst movies I've seen, despite good reviews.",
    "Unbelievably bad acting!!",
    "Poor direction.",
    "VERY poor production.",
    "The movie was bad.",
    "Very bad movie.",
    "VERY BAD movie!",
    "It was one of the worst movies I've seen, despite good reviews. Unbelievably bad acting!! "
    "Poor direction. VERY poor production. The movie was bad. Very bad movie. VERY BAD movie!",
    "balloons", "cake", "candles", "happy birthday", "friends", "laughing", "smiling", "party",
    "riot", "fire", "fight", "blood", "mob", "war", "police", "tear gas",
    "I'm surprised to see just how amazingly helpful VADER is!",
    "Je suis surpris de voir comment VADER est incroyablement utile !",
    "Ich bin überrascht zu sehen, nur wie erstaunlich nützlich VADER!",
    "Me sorprende ver sólo cómo increíblemente útil VADER!",
    "Sono sorpreso di vedere solo come incredibilmente utile VADER è!",
    "Я удивлен увидеть, как раз как удивительно полезно ВЕЙДЕРА!",
    "私はちょうどどのように驚くほど役に立つベイダーを見て驚いています!",
    "أنا مندهش لرؤية فقط كيف مثير للدهشة فيدر فائدة!",
    "我很惊讶地看到VADER是如此有用!",
    "我很驚訝地看到VADER是如此有用!",
]

# Customer feedback written for the tests, one kind per list.
PRAISE = [
    "The delivery was fast and the driver was friendly.",
    "Great service, I will definitely order again!",
    "Absolutely love the new app, so easy to use.",
    "The agent solved my problem in five minutes. Thank you!",
    "Best customer support I have ever had.",
    "Super helpful staff and a clean store :)",
    "Checkout was smooth and the prices are fair.",
    "Wonderful experience from start to finish 😍",
    "The replacement arrived the next day, excellent.",
    "Really appreciate the quick refund, thanks a lot.",
    "Kind of impressed, to be honest.",
    "Highly recommend this shop to everyone.",
]
COMPLAINTS = [
    "I want a refund now. This is unacceptable.",
    "Worst customer service ever, never again.",
    "I was on hold for an hour and nobody answered.",
    "The package arrived damaged and late.",
    "Please cancel my subscription, I am fed up.",
    "Let me speak to a manager, this is ridiculous!!!",
    "You charged me twice and nobody cares.",
    "The app keeps crashing and I lost my order.",
    "Terrible experience, rude staff and dirty tables.",
    "Still waiting for my refund after three weeks?!",
    "I can't stand the hold music anymore.",
    "The product broke after two days, total waste of money.",
    "Screwed up my order again. Disappointed.",
    "I have complained three times and nothing happened.",
]
MIXED = [
    "The food was great, but the service was slow.",
    "Nice staff but the wait was terrible.",
    "The price is good but the quality is poor.",
    "I like the design, but the battery is awful.",
    "Delivery was late but the support agent was lovely.",
    "Good product, bad packaging.",
    "Not bad, not great either.",
    "It works, mostly, but the setup was a pain.",
]
SARCASM = [
    "Oh great, another delayed delivery. Just perfect.",
    "Yeah right, like that's going to fix it.",
    "Thanks for nothing.",
    "Wow, only three hours on hold, amazing service.",
    "I just love being charged twice. Brilliant.",
    "What a fantastic way to lose a customer.",
]
TYPOS = [
    "teh service was grate",
    "terible experiance, nevr again",
    "relly good prodcut, thx",
    "the agnet was rude and unhelpfull",
    "gr8 app lol",
    "sooooo goooood",
    "wtf is this",
]
EDGE = [
    "",
    " ",
    "   \t\n ",
    ".",
    "!!!",
    "???",
    "?!?!",
    "... !!! ???",
    ":)",
    ":-(",
    ";)",
    "<3",
    "</3",
    "ok.",
    "ok",
    "no",
    "no no no",
    "NO",
    "not",
    "but",
    "but but but good",
    "kind of",
    "kind",
    "least",
    "very",
    "VERY",
    "good",
    "GOOD",
    "GOOD good",
    "GOOD GOOD",
    "good!",
    "good!!!!!!!!",
    "good??",
    "good???",
    "good????",
    "bad?!",
    "12345",
    "🙂",
    "😡😡😡",
    "👍👍 great",
    "great👍",
    "©®",
    "💔 broke my heart",
    "\u00a0good\u00a0",
    "good\u3000service",
    "good\u001cservice",
    "Σ ΑΣ good",
    "ǅemal is GOOD",
]
NON_LATIN = [
    "Отличный сервис, спасибо!",
    "Ужасно. Никогда больше.",
    "サービスは最悪でした",
    "非常好的服务 :)",
    "خدمة سيئة جدا",
    "שירות מצוין",
    "सेवा बहुत अच्छी थी",
    "서비스가 정말 좋아요!",
    "Très bon service, merci",
    "Schrecklich, nie wieder!",
    "Ελληνικά: ΠΟΛΥ καλό",
]
CAPS = [
    "THIS IS THE WORST SERVICE EVER",
    "I AM SO ANGRY RIGHT NOW",
    "The staff was GREAT",
    "The staff was GREAT but the food was AWFUL",
    "REFUND ME NOW",
    "Absolutely TERRIBLE",
    "EXTREMELY good service",
    "extremely GOOD service",
]
NEGATIONS = [
    "The agent was not helpful.",
    "The agent wasn't helpful.",
    "The agent was not unhelpful.",
    "I don't hate it.",
    "Never been so happy with a purchase.",
    "Never been this disappointed.",
    "Never been happier.",
    "Without doubt the best store in town.",
    "Without a doubt the worst store in town.",
    "No problems at all.",
    "No good options were offered.",
    "No love or care from the staff.",
    "No help nor support.",
    "Nothing good to say.",
    "It isnt working and it aint cheap.",
    "The least helpful agent ever.",
    "At least the agent was polite.",
    "Very least helpful.",
    "Hardly a good experience.",
    "Barely acceptable.",
    "I can not recommend it.",
    "not the worst, not the best",
    "Despite the wait, great food.",
]
BOOSTERS = [
    "Very good.",
    "Very very good.",
    "Extremely bad service.",
    "Incredibly helpful and really friendly.",
    "Slightly disappointed.",
    "Somewhat satisfied.",
    "It was sort of okay.",
    "The service is just enough good.",
    "I'm kinda happy with the result.",
    "The staff were kind of rude.",
    "We were so so happy.",
    "Totally useless support.",
    "The app is a little slow.",
    "Quite good, really.",
    "The most amazing support team.",
    "More problems than solutions.",
]
IDIOMS = [
    "This new phone is the bomb!",
    "Honestly their pizza is the shit.",
    "The delivery guy is bad ass.",
    "Oh the refund will be processed soon, yeah right.",
    "That late delivery was the kiss of death for my party.",
    "Their cheesecake is to die for.",
    "My beating heart when I opened the box!",
    "Wait at the bus stop near the store.",
    "The package is under the weather and in the red.",
    "The new cashier is on the ball.",
    "They really cut the mustard this time.",
]

SUBJECTS = ["The delivery", "Customer service", "The app", "The store", "The agent", "Checkout",
            "The refund", "Your website", "The hold music", "The product"]
OPINIONS = ["was great", "was terrible", "is not good", "was slow", "was VERY helpful",
            "was okay", "is a joke", "was excellent!!", "was kind of disappointing",
            "never works", "was not bad", "was awful, but the staff were nice",
            "made me happy :)", "sucks", "was fine I guess?"]
ENDINGS = ["", ".", "!", "!!!", "?", "??", " lol", " 😡", " 😊", " Never again.",
           " I want a refund.", " Thanks!", " but whatever"]


def feedback():
    """The written feedback: hand-picked lists plus seeded combinations."""
    out = (PRAISE + COMPLAINTS + MIXED + SARCASM + TYPOS + EDGE + NON_LATIN + CAPS + NEGATIONS
           + BOOSTERS + IDIOMS)
    rng = random.Random(20261126)
    for _ in range(260):
        s = f"{rng.choice(SUBJECTS)} {rng.choice(OPINIONS)}{rng.choice(ENDINGS)}"
        if rng.random() < 0.15:
            s = s.upper()
        out.append(s)
    # very long texts
    out.append(" ".join(PRAISE + COMPLAINTS + MIXED) * 20)
    out.append(("good but bad " * 300).strip())
    out.append("word " * 5000)
    return out


def corpus():
    """Every sentence the tests score, package examples first."""
    return PACKAGE_EXAMPLES + feedback()
