"""The words crisis rules are built from: spellings for `normalise`, pieces for `RULES`. Data only.

`SPELLINGS` maps one normalised word to what `moderation.crisis.normalise` writes instead:
contractions without apostrophes ("dont", "im"), chat slang ("wanna", "kms", "rn"), algospeak
("unalive", "sewerslide") and common misspellings ("sucide", "myslef").

The rest are regular-expression pieces for `moderation.crisis_rules`, over normalised text:
`SUBJ` is the speaker (the word "i", or the start of a clause, where "i" is often dropped);
`ADV` the fillers that may sit between the speaker and the verb ("just", "honestly", "kind
of"; deliberately never "not" or "never"); `INTENT`, `INTENT_OTHERS` and `THINK` how a plan,
wish or preoccupation is said; the `*_NOT` and `*_END` lookaheads are the reviewed idioms and
continuations that must not fire ("die of embarrassment", "can't go on the trip").
"""

from __future__ import annotations


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# --- building blocks for the rules ---------------------------------------------------------

SUBJ = r"(?:^|(?<=, )|\bi )"  # the speaker
ADV = (
    "(?:"
    + _any(
        "just", "really", "honestly", "actually", "seriously", "truly", "genuinely", "literally",
        "kind of", "sort of", "pretty much", "basically", "still", "so", "very", "often",
        "sometimes", "always", "constantly", "even", "also", "almost", "already", "lowkey",
        "low key", "legit", "fucking", "freaking", "effing", "definitely", "probably", "simply",
        "only", "do", "did", "have", "had", "been", "used to", "now", "totally", "completely",
        "secretly", "desperately", "badly", "deeply", "sincerely", "tbh", "ngl", "kinda",
    )
    + " )*"
)  # fmt: skip
WANT = _any(
    "want", "wants", "wanted", "wanting", "need", "needed", "would like", "would love",
    "am ready", "was ready", "feel ready", "am trying", "was trying", "tried", "try", "deserve",
    "deserved", "wish i could", "am longing", "long", "am desperate",
) + " to"  # fmt: skip
STRONG = _any(
    "want", "wanted", "wanting", "am going", "was going", "am about", "was about", "plan",
    "planned", "planning", "am planning", "was planning", "intend", "am ready", "decided", "have decided",
    "am tempted", "was tempted", "am trying", "tried",
) + " to"  # fmt: skip
# Intent, wish or possibility, followed by a verb (base or -ing form).
INTENT = _any(
    "will", "would", "shall", "should", "might", "may", "must", "could", "can", "feel like",
    "felt like", STRONG, WANT, "used to", "need to",
)  # fmt: skip
# Intent towards others: not "could", "would" or "should" ("i could kill him" is a figure of speech).
INTENT_OTHERS = _any(
    "will", "might", "may", "shall", "feel like", "felt like", STRONG,
    _any("need", "have urges", "have the urge", "have an urge", "get urges", "feel the urge") + " to",
)  # fmt: skip
THINK = _any(
    r"(?:(?:am|was|keep|kept|started|start|can not stop|could not stop) )*(?:thinking|think|thought"
    r"|dreaming|dream|dreamt|fantasi[sz]ing|fantasi[sz]e|fantasi[sz]ed|obsessing|obsess) (?:about|of|over)",
    r"(?:(?:am|was|keep|kept) )?(?:considering|contemplating|planning|planned|plan on)",
    r"(?:have|had|having|get|getting|keep having|am having) (?:(?:intrusive|constant|dark|recurring"
    r"|these|those|some|random|frequent|the|bad|strong) )?(?:thoughts|urges|fantasies|images"
    r"|an urge|the urge) (?:about|of|to)",
)
CLAUSE_END = r"(?= ,|$)"
PERSON = _any(
    "boss", "manager", "supervisor", "dad", "father", "stepdad", "stepfather", "mom", "mum",
    "mother", "stepmom", "stepmum", "stepmother", "parents?", "husband", "wife", "partner",
    "boyfriend", "girlfriend", "bf", "gf", "ex", "ex husband", "ex wife", "brother", "sister",
    "son", "daughter", "kids?", "child", "children", "baby", "babies", "family", "neighbou?rs?",
    "co ?workers?", "colleagues?", "roommates?", "flatmates?", "housemates?", "landlord",
    "teachers?", "classmates?", "friends?", "guys?", "man", "men", "woman", "women", "girls?",
    "boys?", "person", "people", "bastards?", "bitch", "bitches", "assholes?", "abuser", "rapist",
    "bully", "bullies", "uncle", "aunt", "cousin", "grandpa", "grandma", "cops?", "doctor",
    "therapist", "nurse", "customers?", "clients?", "strangers?", "students?",
)  # fmt: skip
OBJECT = _any(
    "him", "her", "them", "you", "someone", "somebody", "anyone", "anybody", "people",
    "everyone", "everybody", "all of (?:you|them)",
    rf"(?:my|his|her|their|that|this|the|those|these|your|our|a|some) (?:whole )?{PERSON}",
) + r"\b"  # fmt: skip
# What may follow the person without it being about hurting them.
OBJECT_NOT = (
    r"(?! (?:a|an|some|back|down|over|up|off|straight|questions?|messages?|texts?|e ?mails?|dms?"
    r"|looks?|glances?|feelings?|chances?|pride|ego|career|reputation|business|credit|mood|vibe"
    r"|with kindness|at (?:chess|cards|games?|tennis|pool|darts|scrabble)"
    r"|by (?:telling|saying|leaving|not|being|asking|going|doing|breaking|cancell?ing|ignoring"
    r"|rejecting|lying|moving|quitting))\b)"
)
HARM = _any(
    "kill", "killing", "murder", "murdering", "hurt", "hurting", "harm", "harming", "stab",
    "stabbing", "shoot", "shooting", "strangle", "strangling", "choke", "choking", "attack",
    "attacking", "beat up", "beating up", "poison", "poisoning", "smother", "smothering",
    "drown", "drowning", "run over",
)  # fmt: skip
PILLS = _any(
    "pills", "tablets", "meds", "medication", "medications", "painkillers", "sleeping pills",
    "paracetamol", "tylenol", "insulin",
)  # fmt: skip
MEANS = _any(PILLS, "rope", "noose", "gun", "pistol", "rifle", "shotgun", "razors?", "razor blades",
             "blades?", "poison", "bleach", "knife", "knives")  # fmt: skip
AMOUNT = _any(
    "the", "my", "a", "all the", "all my", "all of my", "all of the", "enough", "some", "these",
    r"\d+", r"(?:a|the|my) (?:whole )?(?:bottle|box|pack|packet|stash|handful|stockpile) of",
)  # fmt: skip
ALL_OF = (
    r"(?:all (?:of )?(?:my|the|these|those)|every (?:single )?one of (?:my|the|these)"
    r"|the rest of (?:my|the))"
)
DIE_NOT = (
    r"(?! (?:of (?:embarrassment|shame|laughter|laughing|boredom|cringe|cuteness|happiness|jealousy"
    r"|envy|curiosity|excitement)|from (?:embarrassment|shame|laughter|laughing|boredom|cringe)"
    r"|laughing|inside|a little|a bit|happy|old|an old|rich|famous|on (?:this|that) hill"
    r"|for (?:this|that|a|some|my|the|his|her|their)|than|in (?:my sleep|peace) (?:at|when)"
    r"|with (?:my|his|her)"
    r"|on (?:mars|the moon)|of old age|at (?:\d+|a ripe old age)|when i am (?:old|\d+)|surrounded by"
    r"|peacefully (?:at|when|surrounded|in my sleep (?:at|when)))\b)"
)
LIVE_NOT = (
    r"(?! (?:in|with|at|on|near|there|here|together|alone|abroad|far|by|under|next|anywhere"
    r"|somewhere|a lie|that way|like (?:that|them|him|her|a))\b)"
)
WAKE_NOT = r"(?! (?:early|late|at|before|on time|so early|in time|tomorrow (?:at|early))\b)"
GO_ON_END = (
    r"(?=$| ,| (?:anymore|any more|any longer|much longer|for much longer|like this|living"
    r"|without (?:her|him|them|you|my \w+)|with (?:life|living|this|it)|and(?! on\b)|but"
    r"|because|cause|so|i|please|honestly|tbh|lol|at all|another day|one more day)\b)"
)
SUICIDE_NOT = (
    r"(?! (?:prevention|awareness|hotline|lines?|lifeline|helpline|rates?|statistics|stats|research"
    r"|training|support|survivors?|loss|bereavement|risk|watch|squad|of (?:my|his|her|their|a))\b)"
)
KILL_SELF_NOT = (
    r"(?! (?:laughing|trying|working|studying|cleaning|running|training|at (?:work|the gym|school"
    r"|the office|uni|college)|to (?:get|finish|make|keep|meet|pay|impress|please|be|do|study|work)"
    r"|with (?:work|overtime|homework|studying|stress)|on (?:this|that|the) (?:project|essay"
    r"|assignment|exam|report|deadline|job))\b)"
)
SELF_NOT = (
    r"(?! (?:out|up|in the foot|at the gym|working out|lifting|running|playing"
    r"|by (?!cutting|burning|scratching|starving)\w+ing)\b)"
)
CUT_END = (
    r"(?=$| ,| (?:again|myself(?! (?:off|out))|tonight|today|last night|this morning|yesterday|on purpose"
    r"|deliberately|intentionally|so bad|so badly|really bad|badly|deep|deeper|and|but|because"
    r"|since|more|every day|lately|recently|for|when|my (?:arms?|wrists?|legs?|thighs?|skin"
    r"|stomach|hips?|body|ankles?))\b)"
)

# Words that name pills, or any means: keywords for the rules that mention them.
PILLS_WORDS = "pills tablets meds medication medications painkillers paracetamol tylenol insulin"
MEANS_WORDS = (
    f"{PILLS_WORDS} rope noose gun pistol rifle shotgun razor razors blade blades poison bleach knife knives"
)

# --- spellings for normalise ----------------------------------------------------------------

_NT_WORDS = (
    "do", "does", "did", "is", "are", "was", "were", "have", "has", "had", "would", "could", "should",
)  # fmt: skip
SPELLINGS: dict[str, str] = {
    **dict.fromkeys(["im", "iam"], "i am"),
    "ive": "i have",
    "id": "i would",
    **{word + "nt": word + " not" for word in _NT_WORDS},
    **dict.fromkeys(["cant", "cannot", "can't"], "can not"),
    **dict.fromkeys(["wont", "won't"], "will not"),
    **dict.fromkeys(["aint", "ain't"], "am not"),
    "shan't": "shall not",
    "wanna": "want to",
    **dict.fromkeys(["gonna", "gunna", "finna", "gna"], "going to"),
    **dict.fromkeys(["ima", "imma"], "i am going to"),
    "gotta": "have to",
    "tryna": "trying to",
    "kinda": "kind of",
    "sorta": "sort of",
    "kms": "kill myself",
    "kmsl": "laughing",  # "killing myself laughing"
    "unalive": "kill",
    "unaliving": "killing",
    "unalived": "killed",
    "u": "you",
    "ur": "your",
    "ppl": "people",
    **dict.fromkeys(["bc", "cuz", "coz", "cos"], "because"),
    "rn": "right now",
    **dict.fromkeys(["tn", "tonite", "2nite", "2night"], "tonight"),
    **dict.fromkeys(["tmrw", "tmr", "tmrow", "2moro", "2morrow"], "tomorrow"),
    "idk": "i do not know",
    "dunno": "do not know",
    "idc": "i do not care",
    "idw": "i do not want",
    "iwtd": "i want to die",
    **dict.fromkeys(["myslef", "mysef", "meself", "maself", "myseld"], "myself"),
    **dict.fromkeys(["suicde", "sucide", "suicid", "suiside", "suicied", "sueside", "sewerslide"], "suicide"),
    **dict.fromkeys(["sucidal", "suicidle", "suicidial", "suicidel", "suisidal"], "suicidal"),
    "selfharm": "self harm",
    "selfharming": "self harming",
    "selfharmed": "self harmed",
    "thats": "that is",
    "whats": "what is",
    "theres": "there is",
    "tonights": "tonight is",
    "noone": "no one",
    "od": "overdose",
    "ded": "dead",
    "kil": "kill",
    **dict.fromkeys(["wud", "wld"], "would"),
    "shud": "should",
    "cud": "could",
    **{
        stem + "in": stem + "ing"  # "thinkin", "feelin"
        for stem in ("think", "feel", "go", "liv", "dy", "kill", "cutt", "try", "want", "hurt")
    },
    **dict.fromkeys(["bout", "abt"], "about"),
}
