"""The summary's page: a Jinja2 template (autoescaped by kpidesign.io.summary) with its print CSS inline.

Printing: A4 with margins, each section's heading kept with what follows, no table row and not the tree cut by a page
break, table headers repeated on every page a table runs over, colours printed as shown.
"""

PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kpidesign">
<title>{{ title }} — {{ t("summary_heading") }}</title>
<style>
@page { size: A4; margin: 14mm 13mm 15mm 13mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; color: #111827; background: #ffffff; font-size: 10.5pt; line-height: 1.55;
  font-family: -apple-system, "Segoe UI", "Helvetica Neue", Arial, "Hiragino Kaku Gothic ProN", "Hiragino Sans",
    "Yu Gothic UI", "Yu Gothic", YuGothic, Meiryo, "Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP",
    "IPAexGothic", sans-serif;
}
main { max-width: 184mm; margin: 0 auto; padding: 12mm 4mm; }
header { border-bottom: 3px solid #1e3a8a; padding-bottom: 4mm; margin-bottom: 5mm; }
.kicker { color: #4b5563; font-size: 9.5pt; margin: 0; letter-spacing: 0.02em; }
h1 { font-size: 20pt; line-height: 1.25; margin: 1mm 0 2mm; overflow-wrap: anywhere; }
h2 {
  font-size: 13pt; margin: 7mm 0 2.5mm; padding-left: 2.5mm; border-left: 4px solid #1e3a8a;
  break-after: avoid; page-break-after: avoid;
}
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; overflow-wrap: anywhere; }
p { margin: 1mm 0 2mm; overflow-wrap: anywhere; }
.description { white-space: pre-line; color: #374151; }
.sentence {
  font-size: 13.5pt; font-weight: 700; margin: 2mm 0 3mm; padding: 3mm 4mm; background: #eef2ff; border-radius: 2mm;
}
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
dt { color: #4b5563; }
dd { margin: 0; white-space: pre-line; overflow-wrap: anywhere; }
figure.tree { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure.tree svg { display: block; width: 100%; height: auto; max-height: 235mm; }
figcaption { color: #4b5563; font-size: 8.5pt; margin-top: 1.5mm; }
.candidate { font-weight: 700; }
.note { color: #4b5563; font-size: 9pt; }
table { width: 100%; border-collapse: collapse; font-size: 9pt; margin: 1.5mm 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th {
  text-align: left; font-weight: 700; background: #f3f4f6; border-bottom: 1.5px solid #9ca3af; padding: 1.2mm 1.6mm;
  vertical-align: bottom;
}
td { border-bottom: 1px solid #e5e7eb; padding: 1.2mm 1.6mm; vertical-align: top; overflow-wrap: break-word; }
td.name { min-width: 30mm; }
table.definitions { font-size: 8.5pt; }
table.definitions td, table.definitions th { padding: 1mm 1.1mm; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.pre { white-space: pre-line; }
td.nowrap, th.nowrap { white-space: nowrap; }
table.levers { break-inside: avoid; page-break-inside: avoid; }
.sw { display: inline-block; width: 2.6mm; height: 2.6mm; border-radius: 0.6mm; margin-right: 1.2mm; vertical-align: -0.2mm;
  border: 1px solid #6b7280; background: #f3f4f6; }
.sw.leading { background: #dbeafe; border-color: #1d4ed8; }
.sw.intermediate { background: #fef3c7; border-color: #b45309; }
.sw.lagging { background: #fde2e1; border-color: #b91c1c; }
.bar { height: 2.4mm; background: #1e3a8a; border-radius: 0.6mm; min-width: 0.6mm; }
tr.top td { font-weight: 700; }
.next { font-weight: 700; font-size: 11pt; break-after: avoid; page-break-after: avoid; }
.theme { break-inside: avoid; page-break-inside: avoid; border: 1px solid #e5e7eb; border-radius: 2mm; padding: 2mm 3mm;
  margin: 0 0 2.5mm; }
.theme h3 { margin: 0 0 1mm; }
.theme .meta { color: #4b5563; font-size: 9pt; margin: 0 0 1mm; }
.theme ul { margin: 0; padding-left: 5mm; }
.theme li { overflow-wrap: anywhere; }
footer { margin-top: 8mm; color: #6b7280; font-size: 8.5pt; border-top: 1px solid #e5e7eb; padding-top: 2mm; }
@media print {
  main { max-width: none; padding: 0; }
}
</style>
</head>
<body>
<main>
<header>
<p class="kicker">{{ t("summary_heading") }} · {{ made }}</p>
<h1>{{ title }}</h1>
{% if description %}<p class="description">{{ description }}</p>{% endif %}
</header>

<section id="kgi">
<h2>{{ t("summary_kgi") }}</h2>
<p class="sentence">{{ kgi_sentence }}</p>
{% if why or objective %}
<dl>
{% if why %}<dt>{{ t("why") }}</dt><dd>{{ why }}</dd>{% endif %}
{% if objective %}<dt>{{ t("summary_objective") }}</dt><dd>{{ objective }}</dd>{% endif %}
</dl>
{% endif %}
</section>

<section id="tree">
<h2>{{ t("sheet_tree") }}</h2>
<figure class="tree">
{{ svg }}
<figcaption>{{ t("summary_tree_legend") }}</figcaption>
</figure>
</section>

<section id="kfs">
<h2>{{ t("summary_kfs") }}</h2>
<p class="candidate">{{ kfs }}</p>
{% if tied %}<p class="note">{{ tied }}</p>{% endif %}
{% if levers %}
<table class="levers">
<thead><tr><th>{{ t("summary_lever") }}</th><th class="num">{{ t("baseline") }}</th><th class="num">+1%</th><th class="num">+10%</th><th class="num">{{ t("summary_at_own_target") }}</th></tr></thead>
<tbody>
{% for lv in levers %}
<tr><td>{{ lv.name }}</td><td class="num">{{ lv.baseline }}</td><td class="num">{{ lv.one }}</td><td class="num">{{ lv.ten }}</td><td class="num">{{ lv.at_target }}</td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}
{% for vote in votes %}
<div class="vote">
<h3>{{ vote.heading }}</h3>
<p>{{ vote.chosen }}</p>
{% if vote.rows %}
<table>
<thead><tr><th>{{ t("summary_vote_option") }}</th><th class="num">{{ t("summary_vote_dots") }}</th><th style="width:35%"></th></tr></thead>
<tbody>
{% for row in vote.rows %}
<tr{% if row.top %} class="top"{% endif %}><td>{{ row.name }}</td><td class="num">{{ row.dots }}</td><td><div class="bar" style="width:{{ row.bar }}%"></div></td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}
</div>
{% endfor %}
</section>

<section id="definitions">
<h2>{{ t("summary_definitions") }}</h2>
<table class="definitions">
<thead><tr>
<th>{{ t("kpi") }}</th><th>{{ t("layer") }}</th><th>{{ t("owner") }}</th><th>{{ t("frequency") }}</th><th>{{ t("unit") }}</th>
<th class="num">{{ t("baseline") }}</th><th class="num">{{ t("target") }}</th><th class="num">{{ t("green") }}</th><th class="num">{{ t("yellow") }}</th>
</tr></thead>
<tbody>
{% for row in definitions %}
<tr><td class="name" style="padding-left:{{ 1.6 + 2.5 * row.depth }}mm">{{ row.name }}</td><td class="nowrap"><span class="sw {{ row.layer }}"></span>{{ row.layer_text }}</td><td>{{ row.owner or "—" }}</td><td class="nowrap">{{ row.frequency }}</td><td>{{ row.unit }}</td>
<td class="num">{{ row.baseline }}</td><td class="num">{{ row.target }}</td><td class="num">{{ row.green }}</td><td class="num">{{ row.yellow }}</td></tr>
{% endfor %}
</tbody>
</table>
</section>

<section id="monitoring">
<h2>{{ t("summary_monitoring") }}</h2>
{% if meetings %}
<p class="next">{{ next_headline }}</p>
<table class="meetings">
<thead><tr><th>{{ t("review_name") }}</th><th class="nowrap">{{ t("cadence") }}</th><th class="num">{{ t("summary_next") }}</th><th>{{ t("kpis") }}</th><th>{{ t("summary_participants") }}</th></tr></thead>
<tbody>
{% for m in meetings %}
<tr><td>{{ m.name }}</td><td class="nowrap">{{ m.cadence }}</td><td class="num">{{ m.next }}</td><td>{{ m.kpis }}</td><td>{{ m.participants }}</td></tr>
{% endfor %}
</tbody>
</table>
<p class="note">{{ t("summary_next_rule") }}</p>
{% else %}
<p>{{ t("summary_no_reviews") }}</p>
{% endif %}
{% if alerts %}
<h3>{{ t("alerts") }}</h3>
<table class="alerts">
<thead><tr><th>{{ t("kpi") }}</th><th>{{ t("when") }}</th><th>{{ t("summary_notify") }}</th><th>{{ t("action") }}</th></tr></thead>
<tbody>
{% for a in alerts %}
<tr><td>{{ a.kpi }}</td><td class="nowrap">{{ a.when }}</td><td>{{ a.notify }}</td><td class="pre">{{ a.action }}</td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}
</section>

{% if has_room %}
<section id="themes">
<h2>{{ t("summary_themes") }}</h2>
{% if room_counts %}<p>{{ room_counts }}</p>{% endif %}
{% for theme in themes %}
<div class="theme">
<h3>{{ theme.label }}</h3>
<p class="meta">{{ theme.count }}{% if theme.node %} · {{ theme.node }}{% endif %}</p>
{% if theme.ideas %}
<ul>
{% for idea in theme.ideas %}<li>{{ idea }}</li>
{% endfor %}
</ul>
{% endif %}
</div>
{% else %}
<p class="note">{{ t("summary_no_themes") }}</p>
{% endfor %}
</section>
{% endif %}

<footer>{{ t("summary_footer") }}</footer>
</main>
</body>
</html>
"""
