"""The reviewed rules behind `moderation.crisis.assess`, most urgent first. Data only.

`RULES` holds `(rule_id, alternatives)`: method, means, plan and timeline come before general
ideation, and the first rule that fires is the one reported. The id's prefix up to the first
dot is the `CrisisKind`; ids are stable (audits count them), so never rename or reuse one.

Each alternative is `(keywords, pattern)`. The pattern is a regular expression over one sentence
of `moderation.crisis.normalise` output: lower-case ASCII words separated by single spaces, a
clause break as a "," word, contractions and slang spelled out ("i'm" -> "i am", "kms" -> "kill
myself"). Keywords are groups of words separated by "+": a sentence is searched only if it has
a word from every group, so every match must contain one (the tests check that for every
example). The pieces (`SUBJ`, `ADV`, `INTENT`, ...) are explained in `crisis_phrases`.

Most alternatives are anchored on the speaker (`SUBJ`); phrases that are first person by
themselves ("kill myself", "end my life", "better off without me") need no anchor. Lookaheads
written `(?! ...)` are the reviewed idioms an alternative must not fire on.
"""

from __future__ import annotations

from moderation.crisis_phrases import (
    ADV,
    ALL_OF,
    AMOUNT,
    CLAUSE_END,
    CUT_END,
    DIE_NOT,
    GO_ON_END,
    HARM,
    INTENT,
    INTENT_OTHERS,
    KILL_SELF_NOT,
    LIVE_NOT,
    MEANS,
    MEANS_WORDS,
    OBJECT,
    OBJECT_NOT,
    PILLS,
    PILLS_WORDS,
    SELF_NOT,
    STRONG,
    SUBJ,
    SUICIDE_NOT,
    THINK,
    WAKE_NOT,
    WANT,
)

# --- the rules, most urgent first -------------------------------------------------------
# Each alternative is `(keywords, pattern)`. Keywords are groups of words separated by "+"; a
# sentence is only searched if it has a word from every group, so every match must contain one.

Alternative = tuple[str, str]
# fmt: off
RULES: tuple[tuple[str, tuple[Alternative, ...]], ...] = (
    ("suicide.method", (
        ("myself + hang hanging shoot shooting gas gassing poison poisoning suffocate suffocating"
         " electrocute electrocuting",
         r"\b(?:hang|hanging|shoot|shooting|gas|gassing|poison|poisoning|suffocate|suffocating"
         r"|electrocute|electrocuting) myself\b(?! (?:in the foot|with (?:work|coffee|food|junk|sugar"
         r"|questions)|out|up|a|an|over|on)\b)"),
        ("myself + drown drowning",  # "drown myself in work" is an idiom; in water it is not
         r"\b(?:drown|drowning) myself\b(?! in (?!the (?:river|lake|sea|ocean|bath|bathtub|tub|pool"
         r"|water|canal)\b))"),
        ("overdose overdosing", rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}) {ADV}(?:overdose|overdosing)\b"),
        ("overdosed overdose",
         rf"{SUBJ}{ADV}(?:overdosed|have overdosed|took an overdose|have taken an overdose)\b"),
        (f"{PILLS_WORDS} + took taken swallowed downed",
         rf"{SUBJ}{ADV}(?:took|have taken|taken|swallowed|have swallowed|downed) (?:(?:way )?too many"
         rf"|a lot of|a bunch of|loads of|[1-9]\d+|twenty|thirty|forty|fifty) (?:of )?(?:my |the )?{PILLS}"),
        ("bleach poison antifreeze",
         rf"{SUBJ}{ADV}(?:drank|drunk|have drunk|swallowed|have swallowed) (?:some )?(?:bleach|poison"
         r"|antifreeze)\b"),
        (f"{PILLS_WORDS} + all every rest",
         rf"{SUBJ}{ADV}(?:(?:{STRONG}|{THINK}|feel like) {ADV}(?:swallow|swallowing|take|taking|down)"
         rf"|swallowed|downed) {ALL_OF} {PILLS}"),
        ("whole",
         rf"{SUBJ}{ADV}(?:{STRONG} |{THINK} |feel like )?{ADV}(?:swallow|swallowed|swallowing|take"
         r"|took|taking|down|downed) (?:a|the|my) whole (?:bottle|box|pack|packet|strip)\b"),
        ("jump jumping throw throwing + off from",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}) {ADV}(?:jump|jumping|throw myself|throwing myself)"
         r" (?:off|from) (?:a|the|this|that|my|some) (?:bridge|building|roof|rooftop|cliff|balcony"
         r"|overpass|ledge|tower|window|car park|parking garage)\b"),
        ("front",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}) {ADV}(?:jump|jumping|step|stepping|throw myself|throwing"
         r" myself|walk|walking|lie down|lying down) in front of (?:a|the) (?:train|bus|car|truck|lorry"
         r"|traffic)\b"),
        ("traffic", rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}) {ADV}(?:walk|walking|run|running) into traffic\b"),
        ("drive driving crash crashing steer steering",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}) {ADV}(?:drive|driving|crash|crashing|steer|steering)"
         r" (?:my car )?(?:off|into) (?:a|the) (?:bridge|cliff|tree|wall|river)\b"),
        ("wrist wrists",
         r"\b(?:slit|slitting|slash|slashing) my wrists?\b|\b(?:cut|cutting|open|opening) my wrists\b"),
        ("gun",
         r"\b(?:put|putting|hold|holding|have|had|press|pressing) (?:a|the|my) gun (?:to|against|in)"
         r" my (?:head|temple|mouth)\b"),
        ("blow", r"\bblow my (?:brains|head) (?:out|off)\b"),
        ("standing sitting",
         rf"{SUBJ}{ADV}am (?:standing|sitting) on (?:the|a) (?:ledge|edge|railing|train tracks|tracks)\b"),
    )),
    ("suicide.means", (
        (MEANS_WORDS,
         rf"{SUBJ}{ADV}(?:have|have got|got|am holding|put|have put|laid out|have laid out|lined up"
         rf"|have lined up|counted out|have counted out|set out|have set out) (?:{AMOUNT} )?{MEANS}"
         r"(?: all)? (?:ready|ready to go|counted out|lined up|laid out|in front of me|in my hands?"
         r"|next to me|by my bed|here with me)\b(?! for (?!tonight|later|when|it\b))"),
        (PILLS_WORDS,
         rf"{SUBJ}{ADV}(?:(?:am|was|keep|kept|started) )?(?:stockpiling|stockpiled|hoarding|hoarded"
         rf"|stashing|stashed|saving up|saved up) (?:{AMOUNT} )?{PILLS}\b"),
        ("noose", rf"{SUBJ}{ADV}(?:tied|made|bought|got|have|hung|set up) (?:a|the|my) noose\b"),
        ("noose", r"\bthe noose is (?:ready|up|tied|hanging)\b"),
        ("gun pistol rifle shotgun",
         rf"{SUBJ}{ADV}(?:have|got|loaded) (?:a|the|my) (?:gun|pistol|rifle|shotgun) (?:loaded|ready"
         r"|in my hand)\b"),
    )),
    ("suicide.plan", (
        ("plan",
         rf"{SUBJ}{ADV}(?:have|got|made|came up with|worked out|figured out) (?:a|the|my) plan"
         r" (?:to|for|on how to) (?:die|end it|end my life|end things|do it|suicide|my suicide)\b"),
        ("know decided worked figured planned picked chose chosen + how when where",
         rf"{SUBJ}{ADV}(?:know|decided|worked out|figured out|planned|picked|chose|have chosen)"
         r" (?:exactly )?(?:how|when|where) (?:i am going to|i will|i would|i am gonna|to)"
         r" (?:do it|end it|die)\b"),
        ("set picked chose chosen",
         rf"{SUBJ}{ADV}(?:set|picked|chose|have chosen) (?:a|the) (?:date|day|time|spot|place|bridge"
         r"|method) (?:to do it|to die|to end it|to end my life|for my suicide)\b"),
        ("suicide goodbye",
         rf"{SUBJ}{ADV}(?:wrote|written|am writing|write|finished|left) (?:a|my) (?:suicide (?:note"
         r"|letter)|goodbye (?:notes?|letters?) (?:to|for) (?:my (?:family|kids|children|parents|wife"
         r"|husband|partner|friends)|everyone|everybody))\b"),
        ("suicide", r"\bmy suicide (?:note|letter|plan)\b"),
    )),
    ("suicide.timeline", (
        ("tonight today tomorrow weekend week + night day",
         r"\b(?:tonight|today|tomorrow|this weekend|this week) is (?:the (?:night|day)|my last"
         r" (?:night|day))" + CLAUSE_END),
        ("last final + alive earth world",
         r"\bmy (?:last|final) (?:day|night|hours?|week) (?:alive|on (?:this )?earth|in this world)\b"),
        ("longer long anymore earth",
         r"\bi (?:will not|am not going to|probably will not) be (?:around (?:much longer"
         r"|for much longer|for long|anymore|any longer)|(?:here )?on this earth)\b"),
        ("alive", r"\bi (?:will not|am not going to|probably will not) be alive\b"),
        ("time",
         r"\bby the time (?:you|anyone|someone|somebody|people|they) (?:read|reads|see|sees|find|finds)"
         r" this\b"),
    )),
    ("suicide.kill_self", (
        ("myself + kill killing end ending", rf"\b(?:kill|killing|end|ending) myself\b{KILL_SELF_NOT}"),
        ("myself + off", r"\b(?:to|will|just|should|might|gonna) off myself\b"),
        ("suicide",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}) {ADV}(?:commit|committing|attempt|attempting|try|trying)"
         r" suicide\b"),
        ("suicide", rf"{SUBJ}{ADV}(?:attempted|tried) suicide\b"),
    )),
    ("suicide.end_life", (
        ("life + end ending take taking",
         r"\b(?:end|ending|take|taking) my (?:own )?life\b(?! (?:back|in|into|to|seriously|for granted"
         r"|one day|day by day|step by step|as|savings|out|off|is not|is never|would never|will never)\b)"),
        ("end ending",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}) {ADV}(?:end|ending) (?:it all|my existence|everything"
         r"|it (?:tonight|today|now|soon|for good|this weekend|once and for all))\b"),
    )),
    ("suicide.want_to_die", (
        ("die", rf"{SUBJ}{ADV}(?:{WANT}|am going to|am about to|keep wanting to) {ADV}die\b{DIE_NOT}"),
        ("die + part", rf"\bpart of me {ADV}(?:wants|still wants|just wants) to die\b{DIE_NOT}"),
        ("death",
         rf"{SUBJ}{ADV}(?:want|crave|welcome|long for|wish for|pray for|am praying for|would welcome)"
         r" death\b"),
        ("death",
         r"\bdeath (?:would be|sounds like|seems like|feels like) (?:a )?(?:relief|release|mercy|better"
         r"|the (?:only )?(?:answer|way out|escape))\b"),
    )),
    ("suicide.wish_dead", (
        ("dead born alive + wish wished hope pray",
         rf"{SUBJ}{ADV}(?:wish|wished|hope|pray) (?:that )?i (?:was|were|would be|could be|had been)"
         r" (?:dead|never born|not born|not alive)\b"),
        ("died + wish wished",
         rf"{SUBJ}{ADV}(?:wish|wished) (?:that )?i (?:had|would have) {ADV}died\b"),
        ("born existed + wish wished",
         rf"{SUBJ}{ADV}(?:wish|wished) (?:that )?i (?:had|would have|would) (?:never|not) (?:been born"
         r"|existed)\b"),
        ("exist existing",
         rf"{SUBJ}{ADV}(?:(?:wish|wished) (?:that )?i (?:did not|do not|would not|could {ADV}(?:not"
         rf"|stop))|{WANT} {ADV}(?:not|stop)) exist(?:ing)?\b"),
        ("die hit survive + hope wish pray",
         rf"{SUBJ}{ADV}(?:hope|wish|pray) (?:that )?i (?:die|would die|will die|just die|could die"
         r"|get hit by a (?:car|bus|truck|train)|do not survive)\b(?! (?:of|from|laughing|happy|old"
         r"|rich)\b)"),
        ("dead",
         rf"{SUBJ}{ADV}(?:want to|wanted to|would like to|would rather|would prefer to|should|deserve to)"
         rf" {ADV}be dead\b(?! than\b)"),
        ("die",
         rf"{SUBJ}{ADV}(?:should|must|deserve to|ought to|might as well|may as well|would rather"
         rf"|would sooner) {ADV}die\b{DIE_NOT}"),
        ("dead",
         rf"{SUBJ}{ADV}(?:would be|am|will be|would probably be|am probably) {ADV}better off dead\b"),
    )),
    ("suicide.suicidal", (
        ("suicidal",
         rf"{SUBJ}{ADV}(?:am|was|been|be|(?:might|may|could|must) be|(?:(?:am|was) )?(?:feel|felt|feeling"
         rf"|get|getting|got)|keep feeling"
         rf"|started feeling|became|become|becoming|went) {ADV}(?:(?:a bit|a little|a little bit"
         r"|kind of|sort of|extremely|pretty|quite|more|really|very|so|super|actively|passively"
         r"|severely|seriously|incredibly) )*suicidal\b(?! (?:friends?|person|people|patients?"
         r"|clients?|members?|teens?|youth|callers?|loved ones?|behaviou?r in|ideation in)\b)"),
        ("suicidal",
         rf"(?:{SUBJ}{ADV}(?:have|had|having|am having|keep having|started having|get|getting"
         r"|struggle with|struggling with|am struggling with|deal with|dealing with|am dealing with"
         r"|battle|battling|am battling|fight|fighting|am fighting)|\bmy) (?:(?:intrusive|constant"
         r"|dark|recurring|these|those|some|random|frequent|bad|strong|passive|active|more|old) )?"
         r"suicidal (?:thoughts|ideation|feelings|urges|tendencies|thinking|impulses|episodes?)\b"),
        ("suicidal + again lately today tonight recently week back bad worse strong",
         r"(?:^|(?<=, ))(?:(?:passive|active|constant|dark) )?suicidal (?:thoughts|ideation|feelings"
         r"|urges) (?:again|lately|today|tonight|recently|this week|are back|have been bad|are bad"
         r"|are getting worse|are strong)\b"),
        ("si",  # "SI": suicidal ideation, in the words people in recovery use
         rf"{SUBJ}{ADV}(?:have|had|having|am having|experience|experiencing|get|getting|keep having"
         r"|struggle with|struggling with|deal with|dealing with)(?: (?:passive|active|bad|strong"
         r"|constant))? si\b|\b(?:passive|active) si\b"),
    )),
    ("suicide.thinking", (
        ("suicide dying ending taking being waking existing die end",
         rf"{SUBJ}{ADV}{THINK} {ADV}(?:suicide\b{SUICIDE_NOT}|committing suicide|dying\b"
         r"|ending (?:it all|my (?:own )?life|it(?! with)|everything)\b|taking my (?:own )?life"
         r"|not (?:being (?:here|alive|around)|waking up|existing)\b|how to (?:die|end it)\b"
         r"|ways to die\b)(?! (?:is|are|can|does|was|means|happens)\b)"),
        ("thoughts + back returning returned worse stronger louder",
         r"(?:^|(?<=, )|\bmy )thoughts (?:of|about) (?:suicide|killing myself|ending it|dying)"
         r" (?:are|have been|keep|have) (?:creeping back|coming back|back|returning|returned"
         r"|getting worse|getting stronger|getting louder)\b"),
    )),
    ("suicide.not_alive", (
        ("here around alive exist living live wake + not longer",
         rf"{SUBJ}{ADV}(?:do not|no longer|do not even|do not really) {ADV}(?:want|wish|feel like|care"
         r"|have (?:the )?(?:will|energy|strength)) to (?:be (?:here|around) (?:anymore|any more"
         r"|any longer|on this earth|on earth|in this world)\b|be alive\b|exist\b|keep living\b"
         rf"|stay alive\b|live\b{LIVE_NOT}|wake up\b{WAKE_NOT})"),
        ("deserve + live alive exist",
         rf"{SUBJ}{ADV}(?:do not|no longer) deserve to (?:live\b{LIVE_NOT}|be alive|exist)\b"),
        ("alive exist + should", rf"{SUBJ}{ADV}(?:should not|should no longer) (?:be alive|exist)\b"),
        ("live die + care",
         rf"{SUBJ}{ADV}(?:do not|no longer) {ADV}care (?:if|whether) i (?:live or die|die or not|live)\b"),
        ("dying dead die wake + mind",
         rf"{SUBJ}{ADV}(?:would not|do not|would not really|would not even) mind (?:dying|being dead"
         r"|if i (?:died|die|did not wake up|do not wake up)|not waking up)\b"),
        ("sure + live alive here living exist",
         rf"{SUBJ}{ADV}am not sure (?:if |that )?i {ADV}want to (?:live\b{LIVE_NOT}|be alive"
         r"|be here anymore|keep living|go on living|exist)\b"),
    )),
    ("suicide.never_wake_up", (
        ("wake + sleep asleep bed eyes out",
         r"\b(?:sleep|asleep|bed|close my eyes|pass out)(?: forever| tonight)? and (?:just )?(?:never"
         rf"|not) wake up\b{WAKE_NOT}"),
        ("wake + hope wish pray",
         rf"{SUBJ}{ADV}(?:hope|wish|pray) (?:that )?i (?:do not|would not|did not|never|will not"
         rf"|will never|would never) {ADV}wake up\b{WAKE_NOT}"),
        ("wake", rf"{SUBJ}{ADV}{WANT} {ADV}(?:never|not) wake up\b{WAKE_NOT}"),
        ("sleep", rf"{SUBJ}{ADV}{WANT} (?:go to )?sleep (?:forever|and never wake up)\b"),
    )),
    ("suicide.cant_go_on", (
        ("on going living + not longer unable",
         rf"{SUBJ}{ADV}(?:can not|can no longer|could not|do not think i can|do not know if i can"
         r"|do not know how (?:much )?(?:longer|long) i can|am not sure (?:if |that )?i can"
         rf"|will not be able to|am unable to|am not able to|do not want to) {ADV}(?:go on|keep going"
         r"|keep living|carry on|go on living|keep on living|keep on going|hold on)" + GO_ON_END),
        ("live + anymore longer",
         rf"{SUBJ}{ADV}(?:can not|can no longer|could not) {ADV}live like this (?:anymore|any more"
         r"|any longer)\b"),
    )),
    ("suicide.no_reason_to_live", (
        ("reason reasons",
         rf"(?:^|(?<=, )|{SUBJ}{ADV}(?:have|had|got|see|can see|can find|feel like i have|feel like"
         r" there is) |there is |there are |there is just )(?:no|zero|not (?:a single|one|any"
         r"|even one)) (?:real |good |single )?reasons? (?:left )?(?:to (?:live|keep living"
         rf"|stay alive|go on|be alive|be here|keep going|wake up|stay)\b{LIVE_NOT}|for (?:living"
         r"|me to (?:live|stay|be here|go on)))"),
        ("live + nothing one nobody",
         rf"(?:^|(?<=, )|{SUBJ}{ADV}(?:have|had|got|feel like i have) |there is )(?:nothing|no one"
         r"|nobody) (?:left )?to live for\b"),
        ("point",
         rf"(?:^|(?<=, )|{SUBJ}{ADV}(?:see|can see|feel like there is) |there is |what is )(?:no|the)"
         r" point (?:in |of |to )?(?:living|being alive|going on|life|staying alive|carrying on"
         r"|me being (?:alive|here)|existing|live|go on)\b(?! (?:in|with|at|like that)\b)"),
        ("worth",
         r"\b(?:my )?life (?:is|is just|feels|seems) (?:not|no longer) worth (?:living|it)\b"
         r"(?! (?:for|if|when)\b)|\b(?:my )?life does not (?:feel|seem) worth (?:living|it)\b"),
        ("only + way escape option answer solution",
         rf"(?:^|(?<=, )|{SUBJ}{ADV}am )(?:the |my )?only (?:way out|escape|option|answer|solution)"
         r" (?:is|would be|left is) (?:death|to die|dying|suicide|to end it|ending it|to kill myself)\b"),
    )),
    ("suicide.tired_of_living", (
        ("tired sick exhausted + living alive life existing waking",
         rf"{SUBJ}{ADV}(?:am|get|feel|got|getting) {ADV}(?:so )?(?:tired|sick|exhausted) of (?:living"
         r"|being alive|life|existing|waking up)\b"),
        ("done finished through + life living world existing alive",
         rf"{SUBJ}{ADV}am {ADV}(?:done|finished|through) with (?:life|living|this world|existing"
         r"|being alive)\b"),
        ("give gave giving given + life living",
         rf"{SUBJ}{ADV}(?:give up|gave up|am giving up|have given up|want to give up) on (?:life"
         r"|living)\b"),
    )),
    ("suicide.burden", (
        ("without", r"\bbetter off without me\b"),
        ("without",
         r"\b(?:better|happier|easier) without me(?=$| ,| (?:around|here|alive|in (?:their|the|this"
         r"|his|her) (?:lives?|world))\b)"),
        ("miss notice care + nobody one body",
         r"\b(?:no one|nobody|no body) (?:(?:would|will|is going to) )?(?:even |ever )?(?:miss me\b"
         r"|notice (?:if|when|that) i (?:am|was|were) (?:gone|dead)\b|(?:notice|care) (?:if|when) i"
         r" (?:die|died|disappeared|disappear|killed myself|am gone|was gone|were gone|am dead"
         r"|was dead)\b)"),
        ("better happier easier + if",
         r"\b(?:better off|better|happier|easier) if i (?:was|were|am) (?:not (?:around|here|alive)"
         r"|gone|dead|never born)\b|\b(?:better off|better|happier|easier) if i (?:died|disappeared"
         r"|did not exist|killed myself)\b"),
        ("favour favor",
         r"\bi (?:would|will) be doing (?:everyone|everybody|them|the world|my family) a favou?r"
         r" (?:by|if i) (?:dying|died|was gone|were gone|disappeared|killing myself|not being here)\b"),
    )),
    ("self_harm.cutting", (
        ("cut cutting",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}|am|was|been|keep|kept|started|start|have started"
         rf"|went back to|am back to|caught myself) {ADV}(?:cut|cutting)" + CUT_END),
        ("cut + myself",
         rf"{SUBJ}{ADV}cut myself(?=$| ,| (?:again|tonight|today|last night|this morning|yesterday"
         r"|on purpose|deliberately|intentionally|deep|deeper|badly|bad|and|but|because|more)\b)"),
        ("cuts", r"\bmy (?:fresh|new) cuts\b|\b(?:fresh|new) cuts on my\b"),
    )),
    ("self_harm.self_harm", (
        ("harm harming sh",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}|am|was|been|keep|kept|started|start|have started"
         rf"|went back to|am back to) {ADV}(?:self harm|self harming|sh)\b(?! (?:awareness|support"
         r"|resources?|group|groups|helpline|research|policy|training)\b)"),
        ("harm harmed",
         rf"{SUBJ}{ADV}self harm(?:ed)?(?=$| ,| (?:again|last night|today|tonight|yesterday"
         r"|this morning|and|but|because|every day|a lot)\b)"),
        ("relapsed relapse relapsing",
         r"\b(?:relapsed|relapse|relapsing)(?: \w+){0,3}? (?:on|with|into|and) (?:self harm|sh|cutting"
         r"|cut)\b"),
    )),
    ("self_harm.hurt_self", (
        ("myself + hurt hurting harm harming burn burning punish punishing hit hitting scratch"
         " scratching bruise bruising",
         rf"{SUBJ}{ADV}(?:{INTENT}|{THINK}|am|been|keep|kept|started|start|have started|caught myself"
         rf"|ended up) {ADV}(?:hurt|hurting|harm|harming|burn|burning|punish|punishing|hit|hitting"
         rf"|scratch|scratching|bruise|bruising) myself\b{SELF_NOT}"),
        ("myself + hurt harm harmed burn burned burnt hit scratch scratched punish punished",
         rf"{SUBJ}{ADV}(?:hurt|harm|harmed|burn|burned|burnt|hit|scratch|scratched|punish|punished)"
         rf" myself {ADV}(?:again|on purpose|deliberately|intentionally|last night|to (?:feel|cope|punish"
         r"|calm)|until (?:i|it) (?:bleed|bleeds|bled)|when i am (?:upset|sad|angry|stressed))\b"),
    )),
    ("self_harm.urge", (
        ("urge urges temptation craving cravings",
         rf"(?:{SUBJ}{ADV}(?:have|had|having|am having|get|getting|got|feel|felt|feeling|keep getting"
         r"|keep having|am fighting|fighting|resisting|am resisting)|\bmy|(?:^|(?<=, ))the)"
         r" (?:(?:strong|constant|sudden|bad|old) )?(?:urges?|temptation|cravings?) (?:to|of)"
         r" (?:self harm|sh|cut|cut myself|cutting|hurt myself|harm myself|burn myself)\b"),
    )),
    ("harm_to_others.attack", (
        ("shoot shooting bomb bombing blow blowing burn burning fire",
         rf"{SUBJ}{ADV}(?:{INTENT_OTHERS}|{THINK}) {ADV}(?:shoot up|shooting up|bomb|bombing|blow up"
         r"|blowing up|burn down|burning down|set fire to|setting fire to) (?:the|my|a|this|that|our"
         r"|his|her|their) (?:school|office|workplace|church|mosque|synagogue|temple|mall|building"
         r"|classroom|college|university|campus|hospital|house|home)\b"),
        ("gun knife rifle pistol weapon bomb shotgun",
         rf"{SUBJ}{ADV}{INTENT_OTHERS} {ADV}(?:bring|take|bringing|taking) (?:a|my|the) (?:gun|knife"
         r"|rifle|pistol|weapon|bomb|shotgun) (?:to|into) (?:school|work|class|the office|the meeting"
         r"|church|college|campus)\b"),
    )),
    ("harm_to_others.intent", (
        ("kill killing murder murdering hurt hurting harm harming stab stabbing shoot shooting strangle"
         " strangling choke choking attack attacking beat beating poison poisoning smother smothering"
         " drown drowning run",
         rf"{SUBJ}{ADV}(?:{INTENT_OTHERS}|{THINK}) {ADV}{HARM} {OBJECT}{OBJECT_NOT}"),
    )),
)
# fmt: on
