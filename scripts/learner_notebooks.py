"""Learner notebooks: the chapters with their MyST turned into Markdown that Jupyter renders by itself.

The chapters (book/*.ipynb) are written in MyST for the book: exercises and solutions, theorems and
proofs, admonitions, `{eq}`, `{cite:p}`, `{ref}`, `{doc}`... Jupyter's own Markdown renderer (Colab,
classic Jupyter, a plain JupyterLab) shows all of that as raw source. This script writes, for every
notebook that _toc.yml lists, a *learner notebook*:

- exercises become headed blocks ("### Exercise 5.3 (Title)"), solutions fold into `<details>`;
- admonitions and theorems become block quotes with a bold title, proofs end with a square;
- labelled equations carry their number (`\\tag{5.2}`), and `{eq}` references print it;
- citations read "Kingma and Ba (2015)" / "(Xiao et al., 2017)", linked to the online bibliography;
  `{ref}`, `{prf:ref}` and `{doc}` become links to the online book;
- code cells and their stored outputs are copied unchanged; cells the book hides (hide-input,
  hide-cell...) are collapsed with Jupyter's `source_hidden`/`outputs_hidden` (and Colab's form view).

Numbers follow the built book: chapters are numbered by their place in the numbered parts of _toc.yml,
equations, exercises and each kind of theorem per chapter in order of appearance
(tests/site/test_learner_notebooks_site.py compares them with _build/html).

`convert_notebook(..., solutions=False)` leaves the solutions and their check cells out (the student
edition), and `Chapter.exercises` gives each exercise as data (label, number, title, statement,
solution, work and check cells) for generators that reuse it.

Usage:
    python scripts/learner_notebooks.py [--out _build/notebooks] [--no-solutions]

It is also a Sphinx extension (listed in _config.yml): after an HTML build it writes the learner
notebooks into the site's _sources/ (so the download button gives them) and points the Colab button
at the branch the Pages workflow publishes them to.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "_build" / "notebooks"
# The branch that .github/workflows/deploy.yml publishes the learner notebooks to (CONTRIBUTING.md).
NOTEBOOKS_BRANCH = "learner-notebooks"
# The student edition (make student) points its Colab button at notebooks without solutions, a branch the
# Pages workflow publishes from `learner_notebooks.py --no-solutions` (.github/workflows/deploy.yml).
STUDENT_NOTEBOOKS_BRANCH = "student-notebooks"


class ConversionError(ValueError):
    """A chapter uses MyST that the converter cannot turn into Jupyter Markdown."""


# ---------------------------------------------------------------------------------------------
# The book: toc, numbers, labels, bibliography


@dataclass
class Target:
    """Something a role can point at: its page, its anchor there, and the text a reference prints."""

    doc: str
    anchor: str
    text: str
    exercise: "Exercise | None" = None


@dataclass
class Exercise:
    """One exercise of a chapter, as data (shared with the student edition and exercise notebooks).

    statement and solution are Jupyter Markdown (already converted); work_cells are the indices of
    the code cells between the exercise and its solution (the learner's workspace), check_cells those
    of the code cells after the solution that check a reference answer.
    """

    label: str
    number: str
    title: str
    statement: str = ""
    solution: str | None = None
    work_cells: list[int] = field(default_factory=list)
    check_cells: list[int] = field(default_factory=list)
    cell: int = -1
    solution_cell: int = -1

    @property
    def heading(self) -> str:
        name = f"Exercise {self.number}".rstrip()
        return f"{name} ({self.title})" if self.title else name


PROOF_TYPES = {
    "theorem", "lemma", "definition", "corollary", "proposition", "remark", "example", "algorithm",
    "axiom", "conjecture", "criterion", "observation", "property", "assumption", "notation",
}
ADMONITIONS = {
    "note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "seealso",
    "admonition", "margin", "sidebar", "topic", "epigraph", "dropdown", "card",
}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[A-Za-z][\w:.-]*)\}\s*(?P<arg>.*)$")
# The body cannot hold a `$$`: else a match could start at an earlier, unlabelled equation's `$$`.
LABELLED_MATH = re.compile(r"^\$\$(?P<body>(?:(?!\$\$).)*?)\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$", re.S | re.M)
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")


def labelled_math(text: str) -> list[re.Match]:
    """The `$$ ... $$ (label)` blocks that MyST numbers: those that start a block. A `$$` right under a
    line of text continues that paragraph, and MyST shows it unnumbered with its label as plain text."""
    found = []
    for m in LABELLED_MATH.finditer(text):
        previous = text[: max(m.start() - 1, 0)].rsplit("\n", 1)[-1] if m.start() else ""
        if not previous.strip() or HEADING.match(previous) or TARGET.match(previous):
            found.append(m)
    return found


@dataclass
class Block:
    """A piece of MyST: plain text, a fenced code block, or a directive (name, argument, options, body)."""

    kind: str  # "text", "code" or "directive"
    text: str = ""
    name: str = ""
    arg: str = ""
    options: dict = field(default_factory=dict)
    body: str = ""


def parse_blocks(text: str) -> list[Block]:
    """Split MyST Markdown into text, code fences and directives (not nested: bodies stay text)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    plain: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            plain.append(lines[i])
            i += 1
            continue
        fence = m["fence"]
        info = m["info"].strip()
        if fence[0] == "`" and "`" in info:  # not a fence: inline code at the start of a line
            plain.append(lines[i])
            i += 1
            continue
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1  # an unclosed fence runs to the end of the cell, as in CommonMark and MyST
        if plain:
            blocks.append(Block("text", "\n".join(plain)))
            plain = []
        inner = lines[i + 1 : j]
        d = DIRECTIVE_INFO.match(info)
        if d:
            options, body = _split_options(inner)
            blocks.append(Block("directive", name=d["name"], arg=d["arg"].strip(), options=options, body=body))
        elif fence[0] == ":":
            raise ConversionError(f"a ':::' fence without a directive name: {lines[i]!r}")
        else:
            blocks.append(Block("code", "\n".join(lines[i : j + 1])))
        i = j + 1
    if plain:
        blocks.append(Block("text", "\n".join(plain)))
    return blocks


def _split_options(lines: list[str]) -> tuple[dict, str]:
    """A directive's options (`:key: value` lines or a `---` YAML block) and the rest, its body."""
    options: dict = {}
    k = 0
    if lines and lines[0].strip() == "---":
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
        if end is None:
            raise ConversionError(f"a directive's '---' option block is not closed: {lines[:3]}")
        options = yaml.safe_load("\n".join(lines[1:end])) or {}
        k = end + 1
    else:
        while k < len(lines):
            m = re.match(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$", lines[k])
            if not m:
                break
            options[m["key"]] = m["value"].strip()
            k += 1
    return options, "\n".join(lines[k:]).strip("\n")


class Book:
    """The book as _config.yml and _toc.yml describe it: its pages, their numbers and labels, its URL."""

    def __init__(self, root: Path = ROOT):
        self.root = Path(root)
        self.config = yaml.safe_load((self.root / "_config.yml").read_text(encoding="utf-8"))
        self.toc = yaml.safe_load((self.root / "_toc.yml").read_text(encoding="utf-8"))
        self.docs, self.chapter_numbers = self._read_toc()
        self.base_url = self._base_url()
        self.targets: dict[str, Target] = {}
        self.titles: dict[str, str] = {}
        self.equations: dict[str, dict[str, str]] = {}
        self.citations = self._read_bibliography()
        for doc in self.docs:
            self._collect(doc)

    # -- toc and URLs --------------------------------------------------------------------------
    def _read_toc(self) -> tuple[list[str], dict[str, int]]:
        docs = [self.toc["root"]]
        numbers: dict[str, int] = {}
        count = 0

        def walk(entries, numbered, top):
            nonlocal count
            for entry in entries or []:
                if "file" in entry:
                    docs.append(entry["file"])
                    if numbered and top:
                        count += 1
                        numbers[entry["file"]] = count
                walk(entry.get("sections"), numbered, False)

        for part in self.toc.get("parts", []):
            walk(part.get("chapters"), bool(part.get("numbered")), True)
        walk(self.toc.get("chapters"), False, True)
        return docs, numbers

    def _base_url(self) -> str:
        """The online book: html.baseurl if set, else the GitHub Pages site of repository.url."""
        base = (self.config.get("html") or {}).get("baseurl")
        if base:
            return base.rstrip("/") + "/"
        owner, name = self.repository()
        return f"https://{owner.lower()}.github.io/{name}/"

    def repository(self) -> tuple[str, str]:
        url = self.config["repository"]["url"].rstrip("/")
        owner, name = url.split("/")[-2:]
        return owner, name

    def page_url(self, doc: str, anchor: str = "") -> str:
        return f"{self.base_url}{doc}.html" + (f"#{anchor}" if anchor else "")

    def source(self, doc: str) -> Path:
        for suffix in (".ipynb", ".md"):
            path = self.root / f"{doc}{suffix}"
            if path.exists():
                return path
        raise ConversionError(f"_toc.yml lists {doc!r}, but neither {doc}.ipynb nor {doc}.md exists")

    def notebooks(self) -> list[str]:
        """The toc's pages that are notebooks (those that get a Colab button and a learner notebook)."""
        return [doc for doc in self.docs if self.source(doc).suffix == ".ipynb"]

    def markdown_cells(self, doc: str) -> list[str]:
        path = self.source(doc)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            return [re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)]
        cells = json.loads(text)["cells"]
        return ["".join(c["source"]) if c["cell_type"] == "markdown" else "" for c in cells]

    # -- labels and numbers --------------------------------------------------------------------
    def number(self, doc: str, n: int) -> str:
        chapter = self.chapter_numbers.get(doc)
        return f"{chapter}.{n}" if chapter else str(n)

    def _collect(self, doc: str) -> None:
        counters: dict[str, int] = {}
        equations: dict[str, str] = {}
        self.equations[doc] = equations

        def count(kind: str) -> str:
            counters[kind] = counters.get(kind, 0) + 1
            return self.number(doc, counters[kind])

        def walk(text: str) -> None:
            for block in parse_blocks(text):
                if block.kind == "text":
                    self._collect_text(doc, block.text, equations, count)
                elif block.kind == "directive":
                    name, label = block.name, str(block.options.get("label", ""))
                    kind = name.split(":")[-1]
                    if name == "exercise":
                        number = "" if "nonumber" in block.options else count("exercise")
                        ex = Exercise(label, number, block.arg)
                        if label:
                            self.targets[label] = Target(doc, label, f"Exercise {number}".rstrip())
                            self.targets[label].exercise = ex
                    elif name.startswith("prf:") and kind in PROOF_TYPES:
                        number = "" if "nonumber" in block.options else count(kind)
                        if label:
                            self.targets[label] = Target(doc, label, f"{kind.capitalize()} {number}".rstrip())
                    elif name == "math" and label:
                        equations[label] = count("equation")
                        self.targets[label] = Target(doc, f"equation-{label}", f"({equations[label]})")
                    if name != "math":
                        walk(block.body)

        for k, text in enumerate(self.markdown_cells(doc)):
            try:
                walk(text)
            except ConversionError as err:
                raise ConversionError(f"{doc}, cell {k}: {err}") from None

    def _collect_text(self, doc, text, equations, count) -> None:
        lines = text.split("\n")
        for k, line in enumerate(lines):
            heading = HEADING.match(line)
            if heading and doc not in self.titles:
                self.titles[doc] = heading["title"]
            target = TARGET.match(line)
            if target:
                following = next((l for l in lines[k + 1 :] if l.strip()), "")
                title = HEADING.match(following)
                self.targets[target["label"]] = Target(
                    doc, target["label"], title["title"] if title else target["label"]
                )
        for m in labelled_math(text):
            label = m["label"]
            equations[label] = count("equation")
            self.targets[label] = Target(doc, f"equation-{label}", f"({equations[label]})")

    def target(self, label: str, doc: str, role: str) -> Target:
        if label not in self.targets:
            raise ConversionError(f"{doc}: {{{role}}}`{label}` points at no label in the pages of _toc.yml")
        return self.targets[label]

    # -- bibliography --------------------------------------------------------------------------
    def _read_bibliography(self) -> dict[str, tuple[str, str]]:
        """references.bib as {key: (authors as cited, year)}, author-year style like the book's."""
        from pybtex.database import parse_file

        citations = {}
        for name in self.config.get("bibtex_bibfiles", []):
            data = parse_file(str(self.root / name))
            for key, entry in data.entries.items():
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                last = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
                if len(last) == 0:
                    authors = _plain(entry.fields.get("organization", key))
                elif len(last) == 1:
                    authors = last[0]
                elif len(last) == 2:
                    authors = f"{last[0]} and {last[1]}"
                else:
                    authors = f"{last[0]} et al."
                citations[key] = (authors, entry.fields.get("year", "n.d."))
        return citations


def _plain(text: str) -> str:
    """A BibTeX name without its braces and simple accents' markup."""
    return re.sub(r"[{}]", "", re.sub(r"\\['`^\"~=.]\{?(\w)\}?", r"\1", text))


# ---------------------------------------------------------------------------------------------
# MyST to Jupyter Markdown

ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks)", re.S)
CODE_SPAN = re.compile(r"(?P<ticks>`+)(?:.+?)(?P=ticks)", re.S)
INLINE = re.compile(f"{ROLE.pattern}|{CODE_SPAN.pattern.replace('ticks', 'cticks')}", re.S)


class Converter:
    """Converts the Markdown of one page of the book."""

    def __init__(self, book: Book, doc: str, solutions: bool = True):
        self.book, self.doc, self.solutions = book, doc, solutions
        self.exercises: dict[str, Exercise] = {}
        self.order: list[str] = []
        self.cell = -1

    def markdown(self, text: str) -> str:
        out = []
        for block in parse_blocks(text):
            if block.kind == "text":
                out.append(self.text(block.text))
            elif block.kind == "code":
                out.append(block.text)
            else:
                out.append(self.directive(block))
        return "\n".join(part for part in out)

    # -- text ----------------------------------------------------------------------------------
    def text(self, text: str) -> str:
        lines = [l for l in text.split("\n") if not TARGET.match(l) and not re.match(r"^%", l)]
        text = "\n".join(lines)
        equations = self.book.equations[self.doc]
        for m in reversed(labelled_math(text)):
            text = text[: m.start()] + self._tagged(m["body"], equations[m["label"]]) + text[m.end() :]
        return INLINE.sub(self._inline, text)

    @staticmethod
    def _tagged(body: str, number: str) -> str:
        body = body.strip("\n")
        return f"$$\n{body} \\tag{{{number}}}\n$$" if "\n" in body else f"$${body.strip()} \\tag{{{number}}}$$"

    def _inline(self, m: re.Match) -> str:
        if not m["name"]:
            return m.group(0)  # a code span: left as it is
        return self.role(m["name"], m["content"])

    def role(self, name: str, content: str) -> str:
        text, label = _explicit_title(content)
        if name == "eq":
            target = self.book.target(label, self.doc, name)
            return target.text if target.doc == self.doc else self.link(target.text, target)
        if name in ("ref", "prf:ref", "numref"):
            target = self.book.target(label, self.doc, name)
            if text and name == "numref":
                text = text.replace("{number}", target.text.split()[-1]).replace("%s", target.text.split()[-1])
            return self.link(text or target.text, target)
        if name == "doc":
            doc = os.path.normpath(os.path.join(os.path.dirname(self.doc), label)).replace(os.sep, "/")
            if label.startswith("/"):
                doc = label.lstrip("/")
            doc = re.sub(r"\.(ipynb|md)$", "", doc)
            if doc not in self.book.docs:
                raise ConversionError(f"{self.doc}: {{doc}}`{content}` names no page of _toc.yml ({doc})")
            return f"[{text or self.book.titles.get(doc, doc)}]({self.book.page_url(doc)})"
        if name.startswith("cite"):
            return self.cite(name, label)
        if name == "math":
            return f"${content}$"
        if name in ("sub", "sup", "kbd"):
            return f"<{name}>{content}</{name}>"
        if name in ("abbr", "term", "dfn", "guilabel", "menuselection", "file", "samp"):
            return re.sub(r"\s*\(.*\)$", "", content) if name == "abbr" else (text or label)
        raise ConversionError(
            f"{self.doc}: the role {{{name}}} is not supported by scripts/learner_notebooks.py; "
            f"add it to Converter.role (or write it differently in the chapter)"
        )

    def link(self, text: str, target: Target) -> str:
        return f"[{text}]({self.book.page_url(target.doc, target.anchor)})"

    def cite(self, name: str, keys: str) -> str:
        refs = []
        for key in [k.strip() for k in keys.split(",") if k.strip()]:
            if key not in self.book.citations:
                raise ConversionError(f"{self.doc}: {{{name}}}`{keys}` cites {key!r}, which references.bib lacks")
            refs.append(self.book.citations[key])
        url = self.book.page_url(self._bibliography_doc())
        if name in ("cite:t", "cite:ts", "cite:author"):
            return "; ".join(f"[{a}]({url}) ({y})" if name != "cite:author" else f"[{a}]({url})" for a, y in refs)
        if name == "cite:year":
            return ", ".join(f"[{y}]({url})" for a, y in refs)
        inner = "; ".join(f"{a}, {y}" for a, y in refs)
        return f"([{inner}]({url}))" if name in ("cite:p", "cite:ps", "cite") else f"[{inner}]({url})"

    def _bibliography_doc(self) -> str:
        for doc in self.book.docs:
            path = self.book.source(doc)
            if path.suffix == ".md" and re.search(r"^(`{3,}|:{3,})\{bibliography\}", path.read_text(encoding="utf-8"), re.M):
                return doc
        return self.book.docs[-1]

    # -- directives ----------------------------------------------------------------------------
    def directive(self, block: Block) -> str:
        name = block.name
        kind = name.split(":")[-1]
        body = self.markdown(block.body) if name not in ("math", "code-block", "code", "sourcecode") else block.body
        label = str(block.options.get("label", ""))
        if name == "exercise":
            target = self.book.targets.get(label)
            ex = copy.copy(getattr(target, "exercise", None)) if target else None
            if ex is None:
                ex = Exercise(label, "", block.arg)
            ex.statement, ex.cell = body, self.cell
            if label:
                self.exercises[label] = ex
                self.order.append(label)
            return f"### {ex.heading}\n\n{body}"
        if name == "solution":
            ex = self.exercises.get(block.arg)
            if ex is None:
                raise ConversionError(f"{self.doc}: {{solution}} {block.arg!r} follows no exercise with that label")
            ex.solution, ex.solution_cell = body, self.cell
            if not self.solutions:
                return SOLUTION_LEFT_OUT
            return (
                f"<details>\n<summary><strong>Solution to {ex.heading}</strong> (click to show)</summary>\n\n"
                f"{body}\n\n</details>"
            )
        if name == "prf:proof":
            return f"*Proof.* {body} $\\square$" if "\n\n" not in body else f"*Proof.*\n\n{body} $\\square$"
        if name.startswith("prf:") and kind in PROOF_TYPES:
            target = self.book.targets.get(label)
            head = target.text if target else kind.capitalize()
            title = f"**{head}** ({self.text(block.arg)})" if block.arg else f"**{head}**"
            return _quote(f"{title}\n\n{body}")
        if name in ADMONITIONS or name.startswith("admonition"):
            title = self.text(block.arg) if block.arg else name.capitalize().replace("Seealso", "See also")
            if name in ("margin", "epigraph") and not block.arg:
                return _quote(body)
            return _quote(f"**{title}**\n\n{body}")
        if name == "math":
            if label:
                return self._tagged(body, self.book.equations[self.doc][label])
            return f"$$\n{body}\n$$"
        if name in ("code-block", "code", "sourcecode"):
            return f"```{block.arg}\n{body}\n```"
        if name in ("figure", "image"):
            owner, repo = self.book.repository()
            branch = self.book.config["repository"].get("branch", "main")
            path = os.path.normpath(os.path.join(os.path.dirname(self.doc), block.arg)).replace(os.sep, "/")
            url = f"https://raw.githubusercontent.com/{owner}/{repo}/{branch}/{path}"
            image = f"![{block.options.get('alt', '')}]({url})"
            return f"{image}\n\n{body}" if body else image
        raise ConversionError(
            f"{self.doc}: the directive {{{name}}} is not supported by scripts/learner_notebooks.py; "
            f"add it to Converter.directive (or write it differently in the chapter)"
        )


def _explicit_title(content: str) -> tuple[str, str]:
    """`text <label>` as (text, label); a bare `label` as ("", label)."""
    m = re.match(r"^(?P<text>.*?)\s*<(?P<label>[^<>]+)>$", content.strip(), re.S)
    if m and m["text"]:
        return m["text"], m["label"]
    return "", content.strip().lstrip("~")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip("\n").split("\n"))


# ---------------------------------------------------------------------------------------------
# Notebooks

HIDDEN = {  # the book's tags, as Jupyter's own cell metadata
    "hide-input": {"source_hidden": True},
    "remove-input": {"source_hidden": True},
    "hide-output": {"outputs_hidden": True},
    "remove-output": {"outputs_hidden": True},
    "hide-cell": {"source_hidden": True, "outputs_hidden": True},
}

CHECK_TAGS = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
# Where convert_notebook(solutions=False) left a solution out (removed again before the notebook is returned).
SOLUTION_LEFT_OUT = "<!-- solution left out -->"


@dataclass
class Chapter:
    """A learner notebook and its exercises, as data."""

    doc: str
    notebook: dict
    exercises: list[Exercise]


def convert_notebook(book: Book, doc: str, solutions: bool = True) -> Chapter:
    """The learner notebook of one chapter; solutions=False leaves solutions and check cells out."""
    source = json.loads(book.source(doc).read_text(encoding="utf-8"))
    conv = Converter(book, doc, solutions)
    cells = []
    for index, cell in enumerate(source["cells"]):
        conv.cell = index
        if cell["cell_type"] == "markdown":
            try:
                text = conv.markdown("".join(cell["source"]))
            except ConversionError as err:
                raise ConversionError(f"{doc}.ipynb, cell {index}: {err}") from None
            new = {"cell_type": "markdown", "metadata": copy.deepcopy(cell.get("metadata", {})), "source": text}
            if "id" in cell:
                new["id"] = cell["id"]
            cells.append((index, new))
        else:
            new = copy.deepcopy(cell)
            tags = new.get("metadata", {}).get("tags", [])
            for tag in tags:
                if tag in HIDDEN:
                    new["metadata"].setdefault("jupyter", {}).update(HIDDEN[tag])
                    if HIDDEN[tag].get("source_hidden"):
                        new["metadata"]["cellView"] = "form"  # Colab's "Show code"
            cells.append((index, new))

    exercises = [conv.exercises[label] for label in conv.order]
    # Work cells: code between an exercise and its solution. Check cells: code the book hides, after
    # the solution and before the next exercise. The first code cell (the install cell) is neither.
    code = [i for i, c in enumerate(source["cells"]) if c["cell_type"] == "code"][1:]
    hidden = {i for i in code if set(source["cells"][i].get("metadata", {}).get("tags", [])) & CHECK_TAGS}
    for k, ex in enumerate(exercises):
        end = exercises[k + 1].cell if k + 1 < len(exercises) else len(source["cells"])
        if ex.solution_cell < 0:
            ex.work_cells = [i for i in code if ex.cell < i < end]
        else:
            ex.work_cells = [i for i in code if ex.cell < i < ex.solution_cell]
            ex.check_cells = [i for i in code if ex.solution_cell < i < end and i in hidden]
    if not solutions:
        dropped = {i for ex in exercises for i in ex.check_cells}
        cells = [(i, c) for i, c in cells if i not in dropped]
        announcing = {ex.solution_cell for ex in exercises if ex.check_cells}
        for i, cell in cells:  # a solution left out; in its cell, the words that announce a dropped check go too
            if cell["cell_type"] == "markdown" and SOLUTION_LEFT_OUT in cell["source"]:
                text = cell["source"]
                if i in announcing:
                    text = text[: text.rindex(SOLUTION_LEFT_OUT)]
                cell["source"] = re.sub(r"\n{3,}", "\n\n", text.replace(SOLUTION_LEFT_OUT, "")).strip("\n")
        cells = [(i, c) for i, c in cells if c["cell_type"] != "markdown" or c["source"].strip()]

    notebook = {k: copy.deepcopy(v) for k, v in source.items() if k != "cells"}
    notebook["cells"] = [c for _, c in cells]
    if (notebook.get("nbformat"), notebook.get("nbformat_minor", 0)) >= (4, 5):
        for index, cell in cells:  # nbformat 4.5 requires cell ids; a chapter saved without them gets stable ones
            cell.setdefault("id", hashlib.sha1(f"{doc}:{index}".encode()).hexdigest()[:12])
    _check_install_cell(doc, notebook)
    _add_origin(book, doc, notebook)
    return Chapter(doc, notebook, exercises)


def _check_install_cell(doc: str, notebook: dict) -> None:
    """The first code cell must install mlp_core when it is missing (what makes Colab work)."""
    first = next((c for c in notebook["cells"] if c["cell_type"] == "code"), None)
    source = "".join(first["source"]) if first else ""
    if "import mlp_core" not in source or "pip install" not in source:
        raise ConversionError(
            f"{doc}.ipynb: the first code cell does not install mlp_core when it is missing, so the "
            f"learner notebook would not run on Colab. Run `make sync-url`, which inserts that cell."
        )


def _add_origin(book: Book, doc: str, notebook: dict) -> None:
    """Under the first heading: where the notebook comes from, with a link to the online chapter."""
    note = (
        f"*This notebook is generated from the chapter of the online book "
        f"[{book.config.get('title', 'the book')}]({book.page_url(doc)}); the code and its outputs are the chapter's.*"
    )
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            lines = cell["source"].split("\n")
            at = next((k + 1 for k, l in enumerate(lines) if HEADING.match(l)), 0)
            cell["source"] = "\n".join(lines[:at] + ["", note] + lines[at:])
            return


def _as_lines(notebook: dict) -> dict:
    """Markdown sources as lists of lines, as Jupyter writes them."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown" and isinstance(cell["source"], str):
            cell["source"] = cell["source"].splitlines(keepends=True)
    return notebook


def write_notebook(notebook: dict, path: Path) -> None:
    """Write through a temporary file and rename, so a reader never sees half a notebook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_as_lines(copy.deepcopy(notebook)), indent=1, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(out: Path = DEFAULT_OUT, root: Path = ROOT, solutions: bool = True) -> list[Path]:
    """Write the learner notebook of every notebook in _toc.yml under out/, with the chapters' paths."""
    book = Book(root)
    written = []
    for doc in book.notebooks():
        chapter = convert_notebook(book, doc, solutions=solutions)
        path = Path(out) / f"{doc}.ipynb"
        write_notebook(chapter.notebook, path)
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------
# As a Sphinx extension


def _after_build(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    build(Path(app.outdir) / "_sources", Path(app.confdir), solutions=not _student_edition(app))


def _student_edition(app) -> bool:
    """The flag of the student edition (_ext/student_edition.py); absent from the instructor edition."""
    return bool(getattr(app.config, "student_edition", False))


def _colab_button(app, pagename, templatename, context, doctree) -> None:
    """Point the Colab button at the learner notebook on the branch the workflow publishes."""
    branch = STUDENT_NOTEBOOKS_BRANCH if _student_edition(app) else NOTEBOOKS_BRANCH
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            url = button.get("url", "")
            if "colab.research.google.com/github/" in url:
                button["url"] = re.sub(r"/blob/[^/]+/", f"/blob/{branch}/", url, count=1)


def setup(app):
    app.connect("build-finished", _after_build)
    app.connect("html-page-context", _colab_button, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default _build/notebooks)")
    parser.add_argument("--no-solutions", action="store_true", help="leave solutions and check cells out")
    args = parser.parse_args(argv)
    try:
        paths = build(args.out, solutions=not args.no_solutions)
    except ConversionError as err:
        print(f"learner_notebooks: {err}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"learner_notebooks: wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
