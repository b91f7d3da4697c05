"""Test articles in the style of scraped defence news, with their reference annotations.

Written for these tests (every person, place, outlet and weapon is invented). References are
found by searching the text, never typed as offsets: a statement by a unique substring, its
speaker by the occurrence of the mention nearest the statement (as annotators mark it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Ref:
    statement: str  # a unique substring of the text: the statement span
    form: str  # direct, indirect or partial
    speaker: str | None = None  # the mention nearest the statement
    name: str = ""  # the person or body the mention names


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class Located:
    start: int
    end: int
    form: str
    speaker: tuple[int, int] | None
    name: str


def locate(article: Article) -> list[Located]:
    """Each reference with its offsets; fails loudly when a substring is missing or repeated."""
    text = article.text
    out = []
    for ref in article.refs:
        start = text.find(ref.statement)
        assert start >= 0, f"{article.id}: not in the text: {ref.statement!r}"
        again = text.find(ref.statement, start + 1)
        assert again < 0, f"{article.id}: twice in the text: {ref.statement!r}"
        end = start + len(ref.statement)
        speaker = None
        if ref.speaker is not None:
            hits = [
                (m.start(), m.end())
                for m in re.finditer(rf"(?<!\w){re.escape(ref.speaker)}(?!\w)", text)
                if m.end() <= start or m.start() >= end
            ]
            assert hits, f"{article.id}: speaker not in the text: {ref.speaker!r}"
            speaker = min(hits, key=lambda h: min(abs(h[0] - end), abs(start - h[1])))
        out.append(Located(start, end, ref.form, speaker, ref.name))
    return out


GARRISON = Article(
    "garrison-rilland",
    """Defence · Security · Industry | Join now for full access
The Garrison Report — independent news on armed forces
Rilland to buy 24 Hawkmoor air-defence launchers, defence minister says
By Pieter Vos | Lowland Newswire
2 April 2026 · 08:15
Photo: A Hawkmoor launcher on display at the Tervik arms fair. (Lowland Newswire)

TERVIK (Lowland Newswire) - Rilland will buy 24 Hawkmoor air-defence launchers from domestic \
maker Brakel Systems, Defense Minister Ali Demir said on Tuesday.

"These launchers will protect every major city in Rilland by the end of 2028," Demir told \
lawmakers in Tervik. "We are not preparing for war. We are preparing so that no one starts one."

The minister said the first two launchers would be delivered in the autumn.

Opposition leader Marguerite Van Acker said the contract had been signed "in a hurry" and \
without a proper tender. "Nobody in this chamber has seen the price," she said.

Photo: A Hawkmoor launcher on display at the Tervik arms fair. (Lowland Newswire)

According to a defence ministry document seen by Lowland Newswire, the launchers will cost \
about 1.9 billion euros.

Brakel Systems declined to comment.

Read more: Why Rilland's army is short of air defence
Recent Posts
"A new era": Rilland's navy gets its first drone ship - 2 hours ago
""",
    (
        Ref(
            "Rilland will buy 24 Hawkmoor air-defence launchers from domestic maker Brakel Systems",
            "indirect",
            "Ali Demir",
            "Ali Demir",
        ),
        Ref(
            '"These launchers will protect every major city in Rilland by the end of 2028,"',
            "direct",
            "Demir",
            "Ali Demir",
        ),
        Ref(
            '"We are not preparing for war. We are preparing so that no one starts one."',
            "direct",
            "Demir",
            "Ali Demir",
        ),
        Ref(
            "the first two launchers would be delivered in the autumn",
            "indirect",
            "The minister",
            "Ali Demir",
        ),
        Ref(
            'the contract had been signed "in a hurry" and without a proper tender',
            "partial",
            "Marguerite Van Acker",
            "Marguerite Van Acker",
        ),
        Ref(
            '"Nobody in this chamber has seen the price,"',
            "direct",
            "she",
            "Marguerite Van Acker",
        ),
        Ref(
            "the launchers will cost about 1.9 billion euros",
            "indirect",
            "a defence ministry document",
        ),
    ),
)

HERALD = Article(
    "herald-sundara",
    """Ostrava Bay Herald
Home › World › Security
Sundara warns of ‘iron response’ after drone flights over Pelvar
By Ioana Vlădescu | Continental Press Agency (CPA)
March 30, 2026

A Vespa-4 drone recovered near Pelvar. © CPA/Tariq Mahmoud

PELVAR (CPA) – Sundara’s army chief, Gen. Tomasz Wieczorek-Haldane, on Sunday accused \
neighbouring Ardenia of sending surveillance drones over the border town of Pelvar.

“We will respond,” he said, “with force.”

Wieczorek-Haldane said the army had recorded 14 drone flights in March alone. “Our soldiers \
have orders: ‘If it crosses the line, bring it down.’ That order stands,” the general told \
reporters at a base outside Pelvar.

Ardenia’s foreign ministry denied that any of its drones had entered Sundaran airspace. In a \
statement, it called the accusations “a fabrication designed to justify an arms build-up”.

Ardenian Foreign Minister Chiara Bellandi-Ruiz said her country wanted “calm, not \
confrontation”. She added that Ardenia would ask the regional security council to send \
observers.

A Vespa-4 drone recovered near Pelvar. © CPA/Tariq Mahmoud

“Both sides are testing each other,” said Dr. Henrike Solberg-Nakamura, a researcher at the \
Kestel Institute for Peace Research. “The danger is that one of these drones is shot down over \
a village.”

© Continental Press Agency 2026
Related: Sundara’s drone wall explained
""",
    (
        Ref(
            "neighbouring Ardenia of sending surveillance drones over the border town of Pelvar",
            "indirect",
            "Gen. Tomasz Wieczorek-Haldane",
            "Tomasz Wieczorek-Haldane",
        ),
        Ref("“We will respond,”", "direct", "he", "Tomasz Wieczorek-Haldane"),
        Ref("“with force.”", "direct", "he", "Tomasz Wieczorek-Haldane"),
        Ref(
            "the army had recorded 14 drone flights in March alone",
            "indirect",
            "Wieczorek-Haldane",
            "Tomasz Wieczorek-Haldane",
        ),
        Ref(
            "“Our soldiers have orders: ‘If it crosses the line, bring it down.’ That order "
            "stands,”",
            "direct",
            "the general",
            "Tomasz Wieczorek-Haldane",
        ),
        Ref(
            "any of its drones had entered Sundaran airspace",
            "indirect",
            "Ardenia’s foreign ministry",
        ),
        Ref(
            "the accusations “a fabrication designed to justify an arms build-up”",
            "partial",
            "it",
        ),
        Ref(
            "her country wanted “calm, not confrontation”",
            "partial",
            "Chiara Bellandi-Ruiz",
            "Chiara Bellandi-Ruiz",
        ),
        Ref(
            "Ardenia would ask the regional security council to send observers",
            "indirect",
            "She",
            "Chiara Bellandi-Ruiz",
        ),
        Ref(
            "“Both sides are testing each other,”",
            "direct",
            "Dr. Henrike Solberg-Nakamura",
            "Henrike Solberg-Nakamura",
        ),
        Ref(
            "“The danger is that one of these drones is shot down over a village.”",
            "direct",
            "Dr. Henrike Solberg-Nakamura",
            "Henrike Solberg-Nakamura",
        ),
    ),
)

MONITOR = Article(
    "monitor-tarrova",
    """Sea Lanes Monitor | Naval News · Ports · Shipbuilding
Tarrova denies selling anti-ship missiles to Corsian rebels
By Kwame Mensah-Oduro | Meridian Wire Service
Updated 11:02 GMT
Image: The Tarrovan corvette TNS Malachite in the port of Salcombe. Credit: Meridian Wire/Ana Brzęk

SALCOMBE, April 3 (Meridian Wire) – Tarrova’s defence ministry on Thursday denied that it had \
sold Sting-9 anti-ship missiles to rebels in southern Corsia, calling the findings of a regional \
monitoring panel “baseless”.

“Tarrova has never supplied weapons to armed groups and never will,” ministry spokesman Radu \
Ionescu-Vânătoru told a news briefing.

According to two diplomats familiar with the panel’s work, the missiles were shipped through a \
free port in the Orlen Islands last summer.

A senior Corsian military official, who spoke on condition of anonymity, said the rebels had \
fired at least three missiles at navy patrol boats since January. “They did not build these \
themselves,” the official said.

The panel’s coordinator, Lucía Fernández-Okafor, said her team stood by its report. \
Fernández-Okafor told the Monitor that the serial numbers matched a batch made in Tarrova in \
2022.

Recent Posts
Corsia orders four new patrol boats – 5 hours ago
Tarrova’s “missile diplomacy” under fire – 1 day ago
Comments (12)
""",
    (
        Ref(
            "it had sold Sting-9 anti-ship missiles to rebels in southern Corsia",
            "indirect",
            "Tarrova’s defence ministry",
        ),
        Ref(
            "the findings of a regional monitoring panel “baseless”",
            "partial",
            "Tarrova’s defence ministry",
        ),
        Ref(
            "“Tarrova has never supplied weapons to armed groups and never will,”",
            "direct",
            "Radu Ionescu-Vânătoru",
            "Radu Ionescu-Vânătoru",
        ),
        Ref(
            "the missiles were shipped through a free port in the Orlen Islands last summer",
            "indirect",
            "two diplomats familiar with the panel’s work",
        ),
        Ref(
            "the rebels had fired at least three missiles at navy patrol boats since January",
            "indirect",
            "A senior Corsian military official",
        ),
        Ref(
            "“They did not build these themselves,”",
            "direct",
            "the official",
        ),
        Ref(
            "her team stood by its report",
            "indirect",
            "Lucía Fernández-Okafor",
            "Lucía Fernández-Okafor",
        ),
        Ref(
            "the serial numbers matched a batch made in Tarrova in 2022",
            "indirect",
            "Fernández-Okafor",
            "Lucía Fernández-Okafor",
        ),
    ),
)

WATCH = Article(
    "watch-kalvia",
    """EASTERN WATCH
Subscribe | Log in
Kalvia test-fires new hypersonic missile, calls it "unstoppable"
Kalvia test-fires new hypersonic missile, calls it "unstoppable"
By Yui Takahashi-Brandt, Eastern Watch
Friday 6 March 2026

PORT ILVA - Kalvia on Friday test-fired a new hypersonic missile, the Strela-M, from a site in \
its northern desert.

"The Strela-M can strike any target within 2,000 kilometres in under ten minutes," said Col. \
Mirela Dragomir-Hess, the head of the missile programme. "No shield in the world can stop it."

President Aurelio Santangelo called the test "a message to those who threaten our \
sovereignty" and said Kalvia would deploy the missile next year.

Neighbouring Dunmark condemned the launch. Its defence minister, Hallvard Brekke-Sæther, said \
the test violated a 2019 moratorium on missile tests in the region. "This is a provocation, \
plain and simple," Brekke-Sæther told the Dunmark Times. "We will discuss our response with \
our allies."

Analysts were sceptical. "Hypersonic is a word they use for everything," said Jonas \
Ekwueme-Lind, an analyst at the Nordhaven Centre. He said the footage released by Kalvia \
showed a conventional ballistic trajectory.

Photo caption: A Strela-M missile lifts off. (Kalvian Defence Ministry)

Share this article
""",
    (
        Ref(
            '"The Strela-M can strike any target within 2,000 kilometres in under ten minutes,"',
            "direct",
            "Col. Mirela Dragomir-Hess",
            "Mirela Dragomir-Hess",
        ),
        Ref(
            '"No shield in the world can stop it."',
            "direct",
            "Col. Mirela Dragomir-Hess",
            "Mirela Dragomir-Hess",
        ),
        Ref(
            'the test "a message to those who threaten our sovereignty"',
            "partial",
            "Aurelio Santangelo",
            "Aurelio Santangelo",
        ),
        Ref(
            "Kalvia would deploy the missile next year",
            "indirect",
            "Aurelio Santangelo",
            "Aurelio Santangelo",
        ),
        Ref(
            "the test violated a 2019 moratorium on missile tests in the region",
            "indirect",
            "Hallvard Brekke-Sæther",
            "Hallvard Brekke-Sæther",
        ),
        Ref(
            '"This is a provocation, plain and simple,"',
            "direct",
            "Brekke-Sæther",
            "Hallvard Brekke-Sæther",
        ),
        Ref(
            '"We will discuss our response with our allies."',
            "direct",
            "Brekke-Sæther",
            "Hallvard Brekke-Sæther",
        ),
        Ref(
            '"Hypersonic is a word they use for everything,"',
            "direct",
            "Jonas Ekwueme-Lind",
            "Jonas Ekwueme-Lind",
        ),
        Ref(
            "the footage released by Kalvia showed a conventional ballistic trajectory",
            "indirect",
            "He",
            "Jonas Ekwueme-Lind",
        ),
    ),
)

LEDGER = Article(
    "ledger-velmora",
    """The Frontline Ledger — Defence · Analysis · Opinion
Join now: unlimited access for 1 € a month
Operation ‘Northern Gate’ ends as Velmora pulls troops back from border
By Rasa Žemaitytė | Northline News Agency
14/04/2026 · 3 min read

Soldiers of Velmora’s 3rd Brigade board trucks near Kessin. Photo: Northline/Olle Berg
Soldiers of Velmora’s 3rd Brigade board trucks near Kessin. Photo: Northline/Olle Berg

KESSIN (Northline) — Velmora has ended the large exercise it had named ‘Northern Gate’ and \
begun pulling about 8,000 troops back from its border with Aldria, the army said in a \
statement on Monday.

The so-called “defensive drills” had alarmed neighbouring states for weeks.

“The exercise achieved all its goals. Our units are returning to their garrisons,” the army’s \
chief of staff, Lt. Gen. Dragan Petrović-Aalto, said in the statement.

Aldria’s prime minister, Eszter Nagy-Lindqvist, welcomed the withdrawal but said she would \
wait for proof. “We don’t judge Velmora by its words. We judge it by what our satellites \
see,” Nagy-Lindqvist said. She said Aldria’s own troops would stay in place “until the last \
Velmoran tank has left”.

In his memoir “The Long Border”, the former Aldrian general Teodor Vasić-Marr described a \
similar crisis in 2009.

Read more: “Northern Gate”: what we know about Velmora’s largest exercise
Recent Posts
Aldria extends border patrols – 2 hours ago
""",
    (
        Ref(
            "Velmora has ended the large exercise it had named ‘Northern Gate’ and begun pulling "
            "about 8,000 troops back from its border with Aldria",
            "indirect",
            "the army",
        ),
        Ref(
            "“The exercise achieved all its goals. Our units are returning to their garrisons,”",
            "direct",
            "Lt. Gen. Dragan Petrović-Aalto",
            "Dragan Petrović-Aalto",
        ),
        Ref(
            "she would wait for proof",
            "indirect",
            "Eszter Nagy-Lindqvist",
            "Eszter Nagy-Lindqvist",
        ),
        Ref(
            "“We don’t judge Velmora by its words. We judge it by what our satellites see,”",
            "direct",
            "Nagy-Lindqvist",
            "Eszter Nagy-Lindqvist",
        ),
        Ref(
            "Aldria’s own troops would stay in place “until the last Velmoran tank has left”",
            "partial",
            "She",
            "Eszter Nagy-Lindqvist",
        ),
    ),
)

COURIER = Article(
    "courier-brennmark",
    """MENU ≡  Courier of the North  |  World · Defence · Business
Sign up for our daily briefing
Brennmark says it will not give up cluster rockets
By Oona Kähkönen and Piotr Żuławski-Ngata
Courier of the North · 9 May 2026 · 6 min read

Brennmark’s defence chief, Adm. Sigrún Hallbjörnsdóttir, at a press conference in Vesterhavn. \
(Courier/Mads Lykke)

VESTERHAVN — Brennmark will keep its stock of cluster rockets despite pressure from its allies, \
the country’s defence chief insisted on Thursday.

‘We are a small country with a long coast,’ Adm. Sigrún Hallbjörnsdóttir told the Courier in \
an interview. ‘Giving up a weapon that our neighbours keep would be reckless.’

Asked whether Brennmark would sign the regional ban on cluster munitions, she was blunt. \
‘Never,’ she said. ‘Not while Orvask keeps three brigades on our border.’

The foreign ministry in Orvask rejected what it called “Brennmark’s excuses”. “Our brigades \
are where they have always been — on our own soil,” ministry spokesman Yevhen Tkachenko-Laar \
said. He accused Brennmark of “hiding behind its neighbours”.

Human rights groups were dismayed. “Cluster rockets kill civilians for decades after a war \
ends,” said Amadou Diallo-Svensson of the Coalition Against Cluster Weapons, who added that \
twelve children had been killed by old submunitions in the region since 2020.

Related: What the cluster munitions ban does — and does not — forbid

© Courier of the North 2026. All rights reserved.
Comments (31) — Show
""",
    (
        Ref(
            "Brennmark will keep its stock of cluster rockets despite pressure from its allies",
            "indirect",
            "the country’s defence chief",
            "Sigrún Hallbjörnsdóttir",
        ),
        Ref(
            "‘We are a small country with a long coast,’",
            "direct",
            "Adm. Sigrún Hallbjörnsdóttir",
            "Sigrún Hallbjörnsdóttir",
        ),
        Ref(
            "‘Giving up a weapon that our neighbours keep would be reckless.’",
            "direct",
            "Adm. Sigrún Hallbjörnsdóttir",
            "Sigrún Hallbjörnsdóttir",
        ),
        Ref("‘Never,’", "direct", "she", "Sigrún Hallbjörnsdóttir"),
        Ref(
            "‘Not while Orvask keeps three brigades on our border.’",
            "direct",
            "she",
            "Sigrún Hallbjörnsdóttir",
        ),
        Ref("what it called “Brennmark’s excuses”", "partial", "The foreign ministry in Orvask"),
        Ref(
            "“Our brigades are where they have always been — on our own soil,”",
            "direct",
            "Yevhen Tkachenko-Laar",
            "Yevhen Tkachenko-Laar",
        ),
        Ref(
            "Brennmark of “hiding behind its neighbours”",
            "partial",
            "He",
            "Yevhen Tkachenko-Laar",
        ),
        Ref(
            "“Cluster rockets kill civilians for decades after a war ends,”",
            "direct",
            "Amadou Diallo-Svensson",
            "Amadou Diallo-Svensson",
        ),
        Ref(
            "twelve children had been killed by old submunitions in the region since 2020",
            "indirect",
            "Amadou Diallo-Svensson",
            "Amadou Diallo-Svensson",
        ),
    ),
)

ARTICLES = (GARRISON, HERALD, MONITOR, WATCH, LEDGER, COURIER)
