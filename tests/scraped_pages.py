"""Scraped news pages as they come out of real sites, for the title tests (issue 13).

Written for these tests (the places, people and outlets are invented, as in the demo corpus):
each starts with the furniture real scrapes carry above the story.
"""

CATEGORIES = """Categories: Hard NewsSecurity
Iran warns it will strike back at any attack on its nuclear sites
Posted on 12 March 2026 by Sara Haddad
Share · Post · Email

TEHRAN – Iran’s foreign minister said on Tuesday that any strike on the country’s nuclear \
sites would be answered “at once and in kind”, a day after the defence ministry showed a new \
ballistic missile on state television.
"""

JOBS_SLOGAN = """DefenceCareers.example — Where security professionals find their next mission
Search… · Subscribe · Post a job
Home › News › Industry
Sarnova signs €2bn deal for 40 Albatros cruise missiles
By Petra Lind | 3 April 2026

SKARVIK – Sarnova’s defence ministry said on Thursday it had signed a €2 billion contract for \
40 Albatros cruise missiles, the country’s largest arms purchase since 2019.
"""

SLOGAN_ALONE = """The career site for defence and security professionals
Jobs · Employers · News
Valdoria orders 12 air-defence batteries after drone strikes
Updated: 21 March 2026, 10:32

ORSK – Valdoria will buy twelve Skyward air-defence batteries, its defence minister said.
"""

REPEATED = """Skip to main content
Eastern Flank Observer
News · Analysis · Maps · Podcasts
Valdoria vows retaliation after drone strike on Orsk depot
Valdoria vows retaliation after drone strike on Orsk depot
Smoke rises over the Orsk depot after the strike. © CPA/Dario Kranjčević

ORSK (CPA) – Valdoria’s defence minister vowed on Saturday to retaliate for a drone strike.
"""

STANDFIRST = """Tags: Dalmora, Valdoria, arms trafficking
Dalmora denies shipping rockets and drones to Valdorian rebels
Frontier Security Review · Search… · Subscribe · Log in
Ministry calls monitoring panel’s findings “a disinformation campaign”; Valdoria threatens to \
close border
By José Muñoz, Regional Correspondent | Continental Press Agency (CPA)
Published: 14/03/2026 – 16:05 | Section: Security

LANVIK (CPA) – Dalmora’s foreign ministry on Saturday denied that any rockets or drones had \
been shipped across the border.
"""

HTML_PAGE = """<!doctype html><html><head>
<title>Korvath tests hypersonic glide vehicle, ministry says | The Defence Ledger</title>
<meta property="og:site_name" content="The Defence Ledger">
</head><body>
<div class="topbar">Categories: Missiles · Korvath</div>
<div class="crumbs">Home › World › Missiles</div>
<div class="share">Share · Post · Email · Print</div>
<article>
<div class="kicker">The Defence Ledger — Defence · Security · Industry</div>
<h1>Korvath tests hypersonic glide vehicle, ministry says</h1>
<p class="byline">By Nadia Benali | Meridian Wire Service</p>
<p>VARDAS (Meridian Wire) – Korvath said on Monday it had tested a hypersonic glide vehicle.</p>
</article></body></html>
"""

HTML_SITE_TITLE = """<html><head><title>Frontier Security Review</title>
<meta property="og:site_name" content="Frontier Security Review"></head><body>
<div>Frontier Security Review · Search… · Subscribe · Log in</div>
<div>Categories: Sanctions</div>
<h2 class="entry-title">Halvard adds 38 Korvathi missile suppliers to sanctions list</h2>
<p>By Marc Delacroix | Continental Press Agency (CPA)</p>
<p>LISVANE (CPA) – Foreign ministers added 38 companies to the sanctions list on Tuesday.</p>
</body></html>
"""

HTML_TITLE_ONLY = """<html><head>
<title>Estmar moves Skyward batteries to eastern border – Strategic Desk</title></head><body>
<p>Strategic Desk — Defence · Security · Industry</p><p>Menu | Search | Newsletter</p>
<p>A Skyward launcher is unloaded from a rail car near Brennvik. Photo: Northline</p>
<p>BRENNVIK – Estmar has begun moving Skyward air-defence batteries to its eastern border.</p>
</body></html>
"""
