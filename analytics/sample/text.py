"""Free text for the sample programme: phrase pools, goal titles and comments composed from them."""

from __future__ import annotations

import numpy as np

__all__ = ["PROGRAMME_TEXT", "EXPECTATION_TEXT", "PULSE_TEXT", "GOAL_TITLES", "comment_column"]

# Phrase pools: a header line ("<pool> <theme> +/-"), then one phrase per indented line.
_PHRASE_TEXT = """
programme technology +
    {P} showed me how the team really uses our collaboration tools, which was eye-opening.
    I finally feel confident using the new AI assistant thanks to {p}.
    Learning how {p} automates their reporting has saved me hours every week.
    The hands-on sessions on our data tools were practical and genuinely useful.
    We built a small dashboard together and I loved how much I learned.
programme technology -
    We spent too little time on the technology topics I signed up for.
    The tool demos felt rushed and I struggled to follow them.
    I was disappointed that we never got past the basics of the new systems.
    Sessions about software were confusing and hard to apply to my job.
programme inclusion +
    Hearing the lived experience of {p} changed how I run meetings.
    Our honest conversations about inclusion were powerful and moving.
    I have a much better understanding of the barriers early-career colleagues face.
    It was encouraging to be genuinely listened to when sharing my experience.
programme inclusion -
    Conversations about inclusion felt awkward and we avoided the difficult topics.
    I worry the inclusion discussion stayed superficial and nothing will change.
    Sharing personal experiences felt uncomfortable and exposed.
    It was frustrating that the concerns I raised about bias were brushed aside.
programme speak_up +
    I feel more confident speaking up in meetings with senior people now.
    The programme made it feel safe to challenge ideas and ask questions.
    I am more comfortable admitting mistakes and asking for help.
    Being treated as an equal gave me the confidence to share bold ideas.
programme speak_up -
    I still don't feel safe raising problems with leadership.
    I held back in sessions because I was afraid it would be held against me.
    It is hard to be honest when the power gap is so obvious.
    Speaking up still feels risky in my team and the programme hasn't changed that.
programme scheduling +
    We kept a regular rhythm of meetings and it worked well.
    {P} always made time for our sessions despite a busy diary.
    Short fortnightly check-ins were easy to fit around work.
programme scheduling -
    Too many of our sessions were cancelled at the last minute.
    Finding time in a senior diary was a constant struggle.
    Workload pressure meant we rushed through meetings or skipped them.
    After the first couple of months our meetings just fizzled out.
programme career +
    The programme gave me visibility with leaders I would never normally meet.
    {P} introduced me to people across the business, which helped my career.
    I got great advice on my development plan and next role.
    I now understand how decisions are made at the top, which is really valuable.
programme career -
    I hoped for more visibility but nothing came of it.
    There was no follow-up on the career conversations we had.
    I doubt the programme will make any difference to my progression.
expectation hopes +
    I'm really looking forward to learning from {p}.
    Excited to see things from a different perspective.
    I hope to build confidence and a wider network.
    Keen to learn about new tools and better ways of working.
expectation hopes -
    I'm worried I won't have enough time for this.
    Not sure what to expect and a bit nervous about it.
    I'm sceptical that it will change much.
pulse workload +
    Workload is manageable and my manager protects our focus time.
    I have a good balance between work and life at the moment.
pulse workload -
    The workload is relentless and we are constantly understaffed.
    Too many meetings leave no time for real work.
    Deadlines keep moving and the pressure is exhausting.
pulse speak_up +
    My team is a safe place to raise problems and disagree.
    I can admit mistakes without being blamed.
    Leaders genuinely listen when we raise concerns.
pulse speak_up -
    People are afraid to speak up because mistakes are held against you.
    Raising concerns here feels risky.
    Honest feedback is ignored or even punished.
pulse manager +
    My manager is supportive and gives clear, useful feedback.
    I feel trusted and respected by my manager.
pulse manager -
    My manager rarely has time for one-to-ones.
    Decisions are made without any explanation, which is frustrating.
pulse tools +
    The new collaboration tools have made work much easier.
    Great to see real investment in modern tools.
pulse tools -
    Our systems are slow and outdated, which wastes hours.
    The new software rollout was badly handled.
pulse career +
    There are good opportunities to grow and learn here.
    I can see a clear path for my career.
pulse career -
    Promotions feel opaque and unfair.
    There is little investment in development.
pulse belonging +
    I feel I belong here and can be myself.
    The culture is welcoming and inclusive.
pulse belonging -
    I often feel excluded from decisions that affect me.
    It does not feel like people like me can succeed here.
openers +
    (nothing)
    (nothing)
    Overall a great experience.
    Really glad to be part of this.
    Honestly, very positive.
openers -
    (nothing)
    (nothing)
    Disappointing so far.
    Not what I expected.
    Honestly, quite frustrating.
closers +
    (nothing)
    (nothing)
    Thank you!
    I'd recommend it to anyone.
    Keep it up.
closers -
    (nothing)
    (nothing)
    Something needs to change.
    This needs better support.
    Not good enough.
connectors
    However,
    That said,
    On the other hand,
    But
distress
    I feel overwhelmed and can't cope any more.
    Completely burnt out, not sleeping and dreading every day.
    I'm struggling to keep going and have no one to talk to.
    Honestly I feel hopeless and exhausted all the time.
    I'm at breaking point with stress and anxiety.
contact
    Happy to discuss, email me at {name}@example.com.
    Feel free to call me on 07700 900{digits}.
    You can reach me on +44 20 7946 0{digits}.
    Contact {name}@example.org if you want details.
contact names
    j.smith
    priya.patel
    tom.oconnor
    a.nowak
    sam.lee
    r.mensah
goals mentor
    Present confidently to a senior audience
    Understand how strategic decisions are made
    Build a network outside my department
    Lead a small project with senior sponsorship
    Get feedback on my career plan
    Speak up more in leadership meetings
goals mentee technology
    Use generative AI tools in my weekly work
    Understand how younger colleagues use collaboration apps
    Get comfortable with our data dashboards
    Learn the basics of our cloud platform
    Run a meeting fully in the new collaboration suite
goals mentee inclusion
    Understand barriers faced by early-career colleagues
    Hear the lived experience of under-represented groups
    Make my team meetings more inclusive
    Review our hiring process with fresh eyes
    Sponsor one inclusion initiative in my area
goals mentee cross-functional
    Understand how front-line teams experience our strategy
    Learn how another department works day to day
    Spot one process to simplify across teams
    Build a link between my team and my mentor's team
"""


def _phrases(text: str) -> dict[str, list[str]]:
    """Parse the phrase pools: header -> phrases, in order."""
    pools: dict[str, list[str]] = {}
    header = ""
    for line in text.strip("\n").splitlines():
        if line.startswith("    "):
            phrase = line.strip()
            pools[header].append("" if phrase == "(nothing)" else phrase)
        else:
            header = line.strip()
            pools[header] = []
    return pools


def _themes(pools: dict[str, list[str]], group: str) -> dict[str, tuple[list[str], list[str]]]:
    """theme -> (positive phrases, negative phrases) of one pool group."""
    names = [h.split()[1] for h in pools if h.startswith(group + " ") and h.endswith(" +")]
    return {t: (pools[f"{group} {t} +"], pools[f"{group} {t} -"]) for t in names}


_POOLS = _phrases(_PHRASE_TEXT)
PROGRAMME_TEXT = _themes(_POOLS, "programme")
EXPECTATION_TEXT = _themes(_POOLS, "expectation")
PULSE_TEXT = _themes(_POOLS, "pulse")
_OPENERS = (_POOLS["openers +"], _POOLS["openers -"])
_CLOSERS = (_POOLS["closers +"], _POOLS["closers -"])
_CONNECTORS = [c + " " for c in _POOLS["connectors"]]
_DISTRESS = _POOLS["distress"]
_CONTACT = _POOLS["contact"]
_CONTACT_NAMES = _POOLS["contact names"]
GOAL_TITLES = {
    "mentor": _POOLS["goals mentor"],
    "mentee": {
        h.removeprefix("goals mentee "): v for h, v in _POOLS.items() if h.startswith("goals mentee ")
    },
}


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text if text.startswith(("I ", "I'")) else text[:1].lower() + text[1:]


def _compose(
    rng: np.random.Generator, mood: np.ndarray, pools: dict, partner: np.ndarray | None
) -> list[str]:
    """Comments whose tone follows the writer's mood: positive, negative or mixed, a few distressed."""
    n = len(mood)
    themes = list(pools)
    tone = mood + rng.normal(0, 0.6, n)
    kind = np.where(tone > 0.3, 0, np.where(tone < -0.3, 1, 2))  # 0 positive, 1 negative, 2 mixed
    theme = rng.integers(0, len(themes), size=(n, 2))
    pick = rng.random((n, 5))
    second = rng.random(n) < 0.4
    distress = rng.random(n) < 0.01
    contact = rng.random(n) < 0.012
    contact_digits = rng.integers(0, 1000, n)
    texts = []
    for i in range(n):
        if distress[i]:
            sentences = [_DISTRESS[int(pick[i, 0] * len(_DISTRESS))]]
        else:
            first_tone = 0 if kind[i] == 2 else kind[i]
            positive, negative = pools[themes[theme[i, 0]]]
            pool = (positive, negative)[first_tone]
            sentences = [pool[int(pick[i, 0] * len(pool))]]
            if kind[i] == 2:
                other = pools[themes[theme[i, 1]]][1]
                connector = _CONNECTORS[int(pick[i, 1] * len(_CONNECTORS))]
                sentences.append(connector + _lower_first(other[int(pick[i, 2] * len(other))]))
            elif second[i]:
                other = pools[themes[theme[i, 1]]][kind[i]]
                extra = other[int(pick[i, 2] * len(other))]
                if extra != sentences[0]:
                    sentences.append(extra)
            if kind[i] < 2:
                opener = _OPENERS[kind[i]][int(pick[i, 3] * len(_OPENERS[kind[i]]))]
                closer = _CLOSERS[kind[i]][int(pick[i, 4] * len(_CLOSERS[kind[i]]))]
                sentences = [opener, *sentences, closer]
        if contact[i]:
            template = _CONTACT[int(pick[i, 1] * len(_CONTACT))]
            name = _CONTACT_NAMES[int(pick[i, 2] * len(_CONTACT_NAMES))]
            sentences.append(template.format(name=name, digits=f"{contact_digits[i]:03d}"))
        text = " ".join(s for s in sentences if s)
        if partner is not None:
            text = text.replace("{P}", _capitalise(partner[i])).replace("{p}", partner[i])
        texts.append(text)
    return texts


def comment_column(
    rng: np.random.Generator, mood: np.ndarray, rate: float, pools: dict, partner: np.ndarray | None = None
) -> np.ndarray:
    """Free text for a share of respondents, empty for the rest."""
    column = np.full(len(mood), "", dtype=object)
    writes = np.flatnonzero(rng.random(len(mood)) < rate)
    if len(writes):
        column[writes] = _compose(rng, mood[writes], pools, None if partner is None else partner[writes])
    return column
