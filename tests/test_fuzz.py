"""Fuzzing: the readers never crash or hang on any bytes, and no Markdown can put script on a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.errors import Problem, Problems
from generator.read import yamlload
from generator.read.records import read_record
from generator.read.text import decode
from generator.render.markdown import render_markdown

FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ readers


@FAST
@given(st.binary(max_size=2000))
def test_decode_never_crashes(data):
    out = decode(data)
    assert (out.text is None) == (out.encoding is None)
    if out.text is not None:
        assert "\r" not in out.text


@FAST
@given(st.text(max_size=300).map(lambda t: t.encode("gb18030", errors="ignore")))
def test_decode_reads_gbk_text(data):
    out = decode(data)
    if data.strip(b" \t\r\n") and b"\x00" not in data:
        assert out.text is not None or out.problem in ("binary", "undecodable")


YAML_TOKENS = st.sampled_from([
    "name", "id", ": ", ":", "-", " ", "  ", "\n", "\n  ", "\n- ", "[", "]", "{", "}", ",", "'",
    '"', "&a ", "*a", "<<: *a", "!!python/object:os.system", "!!binary", "|", ">", "#", "---",
    "...", "? ", "%YAML 1.1", "\t", "中心", "测试", "0912-3850000", "2022", "true", "~", "null",
    "1e99", "0x1F", "@", "`", "\\", "\ufeff", "&b [*a, *a, *a]",
])
YAML_TEXT = st.lists(st.one_of(YAML_TOKENS, st.text(max_size=5)), max_size=60).map("".join)


@FAST
@given(YAML_TEXT)
def test_yaml_loader_never_crashes(text):
    loaded = yamlload.load(text, line_offset=1)
    for p in loaded.problems:
        assert p.zh and p.en
        assert p.line is None or p.line >= 1
    if not loaded.problems:
        assert all(isinstance(line, int) for line in loaded.lines.values())


def test_yaml_alias_bomb_is_refused_quickly():
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        layers.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    loaded = yamlload.load("\n".join(layers))
    assert loaded.data is None and loaded.problems
    assert "别名" in loaded.problems[0].zh


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "content" / "stations").mkdir(parents=True)
    (root / "content" / "images").mkdir()
    return root


@FAST
@given(data=st.one_of(st.binary(max_size=1500), YAML_TEXT.map(lambda t: ("---\n" + t + "\n---\n正文").encode())),
       suffix=st.sampled_from([".md", ".yml"]))
def test_read_record_never_crashes(fuzz_dir, data, suffix):
    path = fuzz_dir / "content" / "stations" / f"fuzz{suffix}"
    path.write_bytes(data)
    problems = Problems()
    raw = read_record(path, f"content/stations/fuzz{suffix}", problems)
    if raw is None:
        assert problems.errors, "a record was refused without saying why"
    else:
        assert isinstance(raw.data, dict)
    for p in problems:
        assert p.path == f"content/stations/fuzz{suffix}" and p.zh and p.en


# ------------------------------------------------------------------ Markdown pipeline

ATTACKS = st.sampled_from([
    "<script>alert(1)</script>", "<script", "</script>", "<SCRIPT>", "<scr", "ipt>", "<img ", "<a ",
    "<svg", "<math", "<iframe ", "<style>", "<form>", "<input ", "<object ", "<embed ", "<noscript>",
    "</noscript>", "<template>", "<!--", "-->", "<![CDATA[", "]]>", "<base ", "<meta ", "<link ",
    " onerror=", " onload=", " onclick=", " ONMOUSEOVER=", "/onerror=", " src=", " href=", " srcdoc=",
    " style=", " formaction=", " xlink:href=", "javascript:", "JaVaScRiPt:", "java\tscript:",
    "java&#x09;script:", "&#106;avascript:", "&#x6A;avascript:", "vbscript:", "data:text/html,",
    " javascript:", "alert(1)", "x", '"', "'", "`", "=", ">", "<", "/", "&", ";", "#",
])
MD_SYNTAX = st.sampled_from([
    "[", "]", "(", ")", "![", "](", "[^1]", "[^1]: ", "\n", "\n\n", "    ", "> ", "- ", "1. ", "## ",
    "{: ", "}", "| a | b |\n|---|---|\n", "```\n", "`", "*", "_", "\\", "<http://x.example>",
    "[r]: ", "[r]", "images/a.jpg", "../x.md", "#h", "中文", "<div markdown=\"1\">", "</div>",
])
MARKDOWN = st.lists(st.one_of(ATTACKS, MD_SYNTAX, st.text(max_size=4)), max_size=50).map("".join)

ON_ATTR = re.compile(r"<[^>]*[\s/\"']on[a-z]+\s*=", re.IGNORECASE)
BAD_URL = re.compile(r"^[\x00-\x20]*(j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|vbscript|data)\s*:", re.IGNORECASE)


@pytest.fixture(scope="module")
def fuzz_config(fuzz_dir) -> Config:
    return Config(project_dir=fuzz_dir)


@settings(max_examples=400, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN)
def test_no_markdown_can_put_script_on_a_page(fuzz_config, text):
    problems: list[Problem] = []
    out = render_markdown(text, source="content/stations/fuzz.md", line=7, config=fuzz_config,
                          page_url="stations/fuzz/", problems=problems)
    low = out.lower()
    assert "<script" not in low
    assert not ON_ATTR.search(out), out
    soup = BeautifulSoup(out, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in ("script", "style", "iframe", "svg", "math", "object", "embed",
                                "form", "input", "base", "meta", "link", "noscript", "template")
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on")
            for v in (value if isinstance(value, list) else [value]):
                assert not BAD_URL.match(v or ""), (attr, v)
    n_lines = text.count("\n") + 1
    for p in problems:
        assert p.path == "content/stations/fuzz.md" and p.field == "正文 body"
        assert 7 <= p.line <= 7 + n_lines, (p.line, n_lines)


@settings(max_examples=60, deadline=5000)
@given(st.integers(min_value=50, max_value=1500), st.sampled_from(["[", "> ", "*", "<div>", "- ", "(", "{"]))
def test_deeply_nested_markdown_terminates(fuzz_config, depth, token):
    out = render_markdown(token * depth + " x", source="content/stations/fuzz.md", line=1,
                          config=fuzz_config, page_url="stations/fuzz/", problems=[])
    assert "<script" not in out
