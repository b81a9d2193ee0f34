"""XSS payloads, OWASP-style (after the OWASP XSS Filter Evasion Cheat Sheet and PortSwigger's XSS cheat sheet).

Every payload that could run calls alert(...) or sets window.__xss, so a browser test sees it fire, and each
contains markup (a tag or an attribute break) that must never come back unescaped. ASCII-only where a
payload goes into a URL path is not required: the tests URL-encode them.
"""

from __future__ import annotations

PAYLOADS: list[str] = [
    "<script>alert(1)</script>",
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=http://127.0.0.1:9/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=x onerror=\"window.__xss=1\">",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>parent.__xss=1</script>\"></iframe>",
    "\"><script>alert(1)</script>",
    "'><script>alert(1)</script>",
    "\" onmouseover=\"alert(1)",
    "' onfocus='alert(1)' autofocus='",
    "\" autofocus onfocus=alert(1) x=\"",
    "</script><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=javascript&colon;alert(1)>x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<object data=\"javascript:alert(1)\">",
    "<embed src=\"javascript:alert(1)\">",
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<isindex action=javascript:alert(1) type=image>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"http://127.0.0.1:9/x.css\">",
    "<base href=\"http://127.0.0.1:9/\">",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<div style=\"width:expression(alert(1))\">",
    "<style>@import 'http://127.0.0.1:9/x.css';</style>",
    "<img src=\"http://127.0.0.1:9/beacon.png\">",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=`x` onerror=alert(1)>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<<script>alert(1);//<</script>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>x</text></a></svg>",
    "<table background=\"javascript:alert(1)\">",
    "<xss id=x tabindex=1 onfocus=alert(1)></xss>",
    "javascript:alert(1)//<b>bold</b>",
    "{{7*7}}<b>{{constructor.constructor('alert(1)')()}}</b>",
    "${alert(1)}<i>x</i>",
    "<img src=1 onerror=window['__x'+'ss']=1>",
    "&lt;script&gt;alert(1)&lt;/script&gt;<b>x</b>",
    "=cmd|' /C calc'!A0<b>x</b>",
]

# What betrays a payload that was not escaped: its own raw markup, long enough never to be the page's own.
def raw_markers(payload: str) -> list[str]:
    """Substrings that appear in a page only if `payload` was inserted without escaping."""
    marks = []
    i = payload.find("<")
    if i >= 0:
        marks.append(payload[i : i + 24])
    for brk in ('" on', "' on", '" autofocus'):
        j = payload.lower().find(brk)
        if j >= 0:
            marks.append(payload[j : j + 24])
    return marks
