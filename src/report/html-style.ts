/**
 * The report page's stylesheet (report/html.ts inlines it): one self-contained HTML file, no external assets.
 * Colours: verdicts held / did not hold / inconclusive as green / red / grey, as in the cards and badges.
 */
export const CSS = `
:root{--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--bg2:#f6f8fa;--held:#1a7f37;--held-bg:#dafbe1;--not:#cf222e;--not-bg:#ffebe9;--inc:#59636e;--inc-bg:#eaeef2}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:#fff}
main{max-width:1180px;margin:0 auto;padding:28px 28px 60px}
h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:40px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:22px 0 8px}
.sub{color:var(--mute);margin:0 0 12px}.desc{max-width:75ch;margin:0 0 18px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg2);padding:1px 4px;border-radius:4px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 6px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:112px}
.card b{display:block;font-size:22px;line-height:1.2}.card span{color:var(--mute);font-size:13px}
.card.bad b{color:var(--not)}.card.good b{color:var(--held)}
nav{margin:14px 0 0;font-size:14px;color:var(--mute);line-height:1.9}nav a{color:#0969da;text-decoration:none;margin-right:14px}nav a.fig{font-size:13px;margin-right:10px}
.tally{color:var(--mute);margin:0 0 8px}
ul.findings{list-style:none;padding:0;margin:0}
ul.findings li{border:1px solid var(--line);border-left:5px solid var(--inc);border-radius:6px;padding:7px 12px;margin:0 0 6px;background:#fff}
ul.findings li.held{border-left-color:var(--held)}ul.findings li.not{border-left-color:var(--not)}
.badge{display:inline-block;font-size:12px;font-weight:600;border-radius:10px;padding:0 8px;margin-right:8px;vertical-align:1px;white-space:nowrap}
.badge.held{background:var(--held-bg);color:var(--held)}.badge.not{background:var(--not-bg);color:var(--not)}.badge.inc{background:var(--inc-bg);color:var(--inc)}
details{margin-top:4px;font-size:13px;color:var(--mute)}summary{cursor:pointer}details p{margin:4px 0 0 14px}
figure{margin:18px 0 34px;padding:0}figure .plot{overflow-x:auto}.row{display:flex;flex-wrap:wrap;gap:8px 40px;align-items:flex-start}figure.narrow{max-width:100%}
figcaption{font-size:14px;color:#333;max-width:95ch;margin-top:6px}figcaption b{color:var(--fg)}
.note{color:var(--mute);font-size:14px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 18px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:var(--bg2);font-weight:600;white-space:normal;vertical-align:bottom}.scroll{overflow-x:auto}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tbody tr:nth-child(even){background:#fbfcfd}
.bar{display:inline-block;width:56px;height:8px;background:var(--inc-bg);border-radius:4px;margin-right:6px;vertical-align:middle;overflow:hidden}
.bar i{display:block;height:100%;background:#2da44e}
.err{white-space:normal;max-width:60ch}
footer{margin-top:48px;color:var(--mute);font-size:13px}
`;
