"""Writes the LightningTokenizer reference fixtures from Hugging Face's `tokenizers` package.

    python3 Tools/reference/make_tokenizer_fixtures.py [--gguf PATH] [output-dir]

Default output: Tests/LightningTokenizerTests/Fixtures. Default GGUF:
~/.cache/agent-lightning-swift/models/SmolLM2-135M-Instruct.Q4_1.gguf (its tokenizer arrays are dumped to
`smollm2-gguf.json`; without the file the SmolLM2 fixtures are left as they are). Needs
`pip install tokenizers gguf` (written against tokenizers 0.23.3, gguf 0.19.0).

Everything is deterministic (seeded corpus, seeded training text, single-threaded training), so rerunning
reproduces the committed files. What is written:

- `corpus.json`: the test strings (code, JSON, numbers, whitespace runs, scripts, emoji, contractions,
  added tokens embedded in text, unassigned and brand-new code points, very long words).
- `tokenizers/<name>.json`: small tokenizers trained here with `BpeTrainer`, one per pre-tokenizer style
  real models use (GPT-2, GPT-2 with a prefix space, Llama 3 with `ignore_merges`, Qwen2 with NFC,
  SmolLM2's digits + ByteLevel, Llama 2 style SentencePiece BPE with byte fallback, Mistral style
  Metaspace), with added tokens that exercise `special`, `lstrip`, `rstrip`, `single_word`, `normalized`.
- `expected/<name>.json`: per corpus string the ids `encode(text, add_special_tokens=False)` gives, the ids
  with `encode_special_tokens = True` where they differ, and `decode` (with and without skipping special
  tokens) where it differs from the text.
- `smollm2-gguf.json`: SmolLM2-135M-Instruct's tokenizer arrays as in its GGUF; `expected/smollm2.json` is
  computed with a tokenizer.json built the way the published one is (Digits + ByteLevel, ByteLevel
  decoder, the 17 added tokens all special).
- `llama2-sp-gguf.json`: the Llama 2 style tokenizer as GGUF "llama" metadata (tokens, scores, types);
  its merges are the ones Hugging Face's SentencePiece converter derives from those scores, so the GGUF
  path must give `expected/llama2-sp.json` too.
- `unicode-classes.json`: the code points the Oniguruma regexes see as `\\p{L}`, `\\p{N}`, `\\s`, and
  the ones `Digits` (Rust `char::is_numeric`) isolates, as ranges.
"""
from __future__ import annotations

import json
import os
import random
import sys

from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, trainers
from tokenizers.models import BPE

GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")

# The added tokens of the byte-level tokenizers: the first three come from the trainer (ids 0-2); the rest
# follow the vocabulary and cover every matching flag.
TRAINER_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
EXTRA_ADDED = [
    dict(content="<mask>", special=True, lstrip=True, rstrip=False, single_word=False, normalized=False),
    dict(content="<|rstrip|>", special=True, lstrip=False, rstrip=True, single_word=False, normalized=False),
    dict(content="<|both|>", special=True, lstrip=True, rstrip=True, single_word=False, normalized=False),
    dict(content="[SW]", special=False, lstrip=False, rstrip=False, single_word=True, normalized=False),
    dict(content="<tool_call>", special=False, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content="<|im", special=False, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content="hello world", special=False, lstrip=False, rstrip=False, single_word=False, normalized=True),
    dict(content="cafe\u0301", special=False, lstrip=False, rstrip=False, single_word=False, normalized=True),
]
UNREACHABLE = ["zzzz", "ĠUNREACHABLE", "Ġqqq", "ĠHelloWorld"]
SP_SPECIALS = ["<unk>", "<s>", "</s>"]
SP_EXTRA = [
    dict(content="<|im_start|>", special=True, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content="<|im_end|>", special=True, lstrip=False, rstrip=False, single_word=False, normalized=False),
]


# ---------------------------------------------------------------------------------------------------------
# The test corpus


def corpus() -> list[str]:
    rng = random.Random(20240607)
    texts: list[str] = ["", " ", "  ", "\n", "\t", "\r\n", "a", "A", "hello", " hello", "hello ", "  hello  "]

    code = [
        "def add(a, b):\n    return a + b\n",
        "import numpy as np\n\nx = np.zeros((3, 4), dtype=np.float32)\nprint(x.shape)\n",
        "class Foo:\n\tdef __init__(self):\n\t\tself.x = 1  # tabbed\n",
        "for (int i = 0; i < n; ++i) {\n    sum += a[i] * b[i];\n}\n",
        "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }\n",
        "func greet(_ name: String) -> String {\n    return \"Hello, \\(name)!\"\n}\n",
        "let xs = [1, 2, 3].map { $0 * 2 }.filter { $0 > 2 }",
        "const f = async (x) => { await fetch(`/api/${x}`); };",
        "fn main() {\n    let v: Vec<u8> = vec![0xFF; 16];\n    println!(\"{:?}\", v);\n}\n",
        "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n",
        "SELECT id, name FROM users WHERE age >= 18 AND name LIKE '%son' ORDER BY id DESC;",
        "<html>\n  <body>\n    <p class=\"x\">Hi &amp; bye</p>\n  </body>\n</html>",
        "#!/bin/bash\nset -euo pipefail\nfor f in *.txt; do wc -l \"$f\"; done\n",
        "if x == 1:\n        pass\n    elif x:\n\n\n        raise ValueError('bad')\n",
        "    \n    \n\tmixed  \t indentation\t\t\n",
        "a = {'k': [1,2,3], \"v\": None}\r\nb = a['k'][0]\r\n",
        "x+=1;y-=2;z*=3;w/=4;q%=5;r**=6;s//=7;t>>=8;u<<=9",
        "/* comment */ // line comment\n-- sql comment\n# shell comment",
        "λx. x + 1 ≡ (λy. y) ∘ succ",
        "std::vector<std::string> v{\"a\", \"b\"}; auto it = v.begin();",
        "@property\ndef name(self) -> str: ...\n",
        "try {\n  JSON.parse(s)\n} catch (e) {\n  console.error(e?.message ?? 'unknown')\n}",
    ]
    texts += code

    json_texts = [
        '{"name": "Alice", "age": 30, "tags": ["a", "b"], "ok": true, "n": null}',
        '{\n  "model": "smollm2",\n  "messages": [\n    {"role": "user", "content": "Hi!"}\n  ]\n}',
        '[{"id":1,"v":-0.5e-10},{"id":2,"v":1.7976931348623157e308}]',
        '{"escaped": "line\\nbreak \\"quoted\\" \\u00e9 \\ud83d\\ude00"}',
        '{"deep":{"deeper":{"deepest":[[[[]]]]}}}',
    ]
    texts += json_texts

    numbers = ["0", "7", "42", "123", "1234", "12345", "123456", "1234567", "12345678901234567890",
               "3.14159", "-273.15", "1e-9", "6.022e23", "1,000,000", "1.000.000,50", "0x1F", "0b1010",
               "2024-06-07", "12:34:56", "+1 (555) 010-9999", "v1.2.3", "$19.99", "€5", "100%", "1/2", "½",
               "²³", "Ⅻ", "٣٤٥", "४५६", "１２３", "᠐᠑", "𝟘𝟙𝟚", "abc123def456", "a1b2c3", "1a2b3c", "99 bottles",
               " 123", "  123", "123 ", "1 2 3", "12 345 6789"]
    for n in range(1, 41, 3):
        numbers.append("".join(str(rng.randrange(10)) for _ in range(n)))
    numbers.append("9" * 100)
    texts += numbers

    whitespace = []
    for n in [1, 2, 3, 4, 5, 8, 16, 33]:
        whitespace += [" " * n, "x" + " " * n + "y", "x" + " " * n, " " * n + "y", "\t" * n,
                       "x" + "\t" * n + "y", "\n" * n, "x" + "\n" * n + "y"]
    whitespace += ["\r\n\r\n", "a\r\nb", "a\r\n\r\nb", "a \r\n b", "a\n \n b", " \n ", "\n \n", "a  \n  b",
                   "a\t\n\tb", " \t \n \t ", "a\u00a0b", "a\u00a0\u00a0b", "a\u3000b", "a\u2028b", "a\u0085b",
                   "a\u000bb", "a\u000cb", "a\r", "\ra", "\r\r\n\n", "end.   ", "   start", "a \u00a0 b",
                   "a\u2003\u2003b", "x \n\n\n y", "x\n\n\n", "  \n\n  x", "\t\t\tx", "x \t"]
    texts += whitespace

    scripts = [
        "你好，世界！这是一个测试。", "我们今天去公园散步吧", "日本語のテキストとカタカナ、ひらがな。", "東京タワーは333メートルです",
        "한국어 텍스트입니다. 안녕하세요!", "ㄱㄴㄷ ㅏㅑㅓ", "مرحبا بالعالم", "اللُّغَةُ العَرَبِيَّة", "שלום עולם",
        "नमस्ते दुनिया", "हिन्दी में लिखा गया वाक्य।", "สวัสดีชาวโลก", "বাংলা ভাষা", "தமிழ் மொழி", "Γειά σου Κόσμε",
        "Привет, мир! Как дела?", "Բարեւ աշխարհ", "გამარჯობა", "ሰላም ለዓለም", "Tiếng Việt có dấu: Ừ, được rồi.",
        "Zürich, Straße, Ärger, Öl", "naïve café résumé façade Ångström", "ﬁ ﬂ ﬀ ǅ ǈ", "İstanbul ıi", "ΣΑΣ σας",
        "helloмир世界", "abc١٢٣def", "English 中文 mixed 日本語 and 한국어",
    ]
    texts += scripts

    emoji = ["😀", "😀😃😄", "👍🏽", "👩‍👩‍👧‍👦", "👨🏿‍💻 coding", "🇺🇸🇯🇵🇫🇷", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "1️⃣#️⃣", "❤️ love",
             "I ❤ Swift 🚀!", "🙂🙃", "🧑‍🤝‍🧑", "☕️☕", "🏳️‍🌈", "emoji😀inside", " 😀 ", "🐍🦀🦊"]
    texts += emoji

    combining = ["e\u0301", "cafe\u0301", "a\u0308o\u0308u\u0308", "Z\u0351\u0346\u035e\u0360a\u0315\u0321lgo",
                 "n\u0303", "\u0301start", "x\u20dd", "क\u093f", "ﾃﾞ", "Å vs A\u030a", "ḱṷṓn", "q\u0323\u0307"]
    texts += combining

    contractions = ["don't", "DON'T", "Don'T", "I'm", "I'M", "we'll", "WE'LL", "they've", "THEY'VE", "she'd",
                    "SHE'D", "it's", "IT'S", "It'S", "you're", "YOU'RE", "O'Neil", "'s", "'S", "'", "''", "'''",
                    "rock 'n' roll", "don’t", "'ſ", "'ſx", "x'ſt", "''s", "'ll'll", "'ve've", "'d'", "' s",
                    "'re'", "can't won't shan't", "l'amour", "'123", "'hello'", "\"quoted\"", "don'tstop",
                    "'\u212a", "'K", "'Sx", "'Tx", "'REx", "'veX"]
    texts += contractions

    punctuation = ["!!!???", "...", "…", "—", "–-", "«»", "¿¡", "(parens) [brackets] {braces}", "a.b,c;d:e",
                   "!@#$%^&*()_+-=", "~`|\\", "<<>>", "<>", "<", ">", "<|", "|>", "<||>", "http://example.com/a?b=c&d=e",
                   "user@example.com", "C:\\Users\\name\\file.txt", "=====", "-----", "*****", "a----b", ".5", "5.",
                   "..", " . ", " !", "! ", "a!", "!a", " !a", "§¶†‡", "°C", "±×÷", "™®©"]
    texts += punctuation

    controls = ["\x00", "a\x00b", "\x01\x02\x03", "\x04\x06\x13\x14\x16\x1d", "\x7f", "a\u200bb", "\ufeffbom",
                "soft\u00adhyphen", "\ue000private", "\U000f0000plane15", "\u0378unassigned", "\uffff", "\U0010ffff",
                "\U00040000", "\U000e0001\U000e0041tag", "\u088f\u0c5c new in Unicode 17", "\U00011de0\U00016ff4",
                "a\u200db", "a\u200cb", "\u2066isolate\u2069", "\u202eRTL override", "\u180emongolian"]
    texts += controls

    added = [
        "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
        "<|im_start|>system\nYou are helpful.<|im_end|>\n",
        "<|endoftext|>", "<|endoftext|><|endoftext|>", "abc<|endoftext|>def", " <|endoftext|> ",
        "<|im_start", "<|im_start|", "<|im_end|><|im_end|>", "<|im_start|><|im_end|>", "<<|im_start|>>",
        "<|im", "<|imx", "x<|im_start|>x", "<|im_start|>  spaced  <|im_end|>",
        "text <mask> more", "text    <mask>    more", "<mask>", " <mask>", "a<mask>b",
        "x <|rstrip|>   y", "x<|rstrip|>\n\ny", "  <|both|>  ", "a <|both|> b", "<|both|><|both|>",
        "[SW]", "a [SW] b", "a[SW]b", "x [SW]y", "[SW].", "é[SW]", "[SW][SW]", "_[SW]_",
        "<tool_call>{\"name\": \"f\"}</tool_call>", "say hello world!", "hello worldly", "Hello World",
        "hello  world", "café", "cafe\u0301", "un café noir", "<s>", "</s>", "<s>Hello</s>", "<unk>",
        "<s> <s>", "Hello<s>world", "<|im_start|><s></s><unk>", "<file_sep>a.py\n<repo_name>x",
        "<jupyter_code>print(1)<jupyter_output>1<empty_output>", "<gh_stars>100",
        "zzzz", "zzzzz", "a UNREACHABLE b", "UNREACHABLE", " qqq", "qqq qqq", " HelloWorld!",
    ]
    texts += added

    sentences = [
        "The quick brown fox jumps over the lazy dog.",
        "Hello, world! How are you doing today?",
        "In 1492, Columbus sailed the ocean blue.",
        "She said, \"It's 5 o'clock somewhere,\" and laughed.",
        "E=mc^2 is Einstein's famous equation.",
        "Machine learning models tokenize text into subword units.",
        "  Leading spaces and trailing spaces  ",
        "Mr. Smith's car isn't here; it's at Mrs. Jones's house.",
        "ALL CAPS SENTENCE WITH SHOUTING!!!",
        "lowercase sentence without punctuation",
        "Tabs\tand\nnewlines\r\nmixed together",
        "Q: What is 2+2?\nA: 4",
        "The price is $1,234.56 (including 7.5% tax).",
        "Visit https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct for details.",
    ]
    texts += sentences

    long_words = ["a" * 300, "ab" * 200, "supercalifragilisticexpialidocious" * 8,
                  "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(700)),
                  "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                          for _ in range(400)) + "==",
                  "https://example.com/" + "/".join("seg%d" % i for i in range(60)),
                  "漢字" * 150, "😀" * 80, " " * 300, "\n" * 120, "-" * 250, "\u00e9" * 200]
    texts += long_words

    # Random strings drawn from a pool that mixes every character class the pre-tokenizers tell apart.
    pool = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") * 4 + list("0123456789") * 3
            + list(" ") * 12 + list("\t\n\r") * 2 + list(".,;:!?'\"-_()[]{}<>/\\|@#$%^&*+=~`") * 2
            + list("éüßñçøåÆŒſ") + list("你好世界日本語") + list("αβγδ") + list("абвг") + list("مرح")
            + list("नमस्ते") + ["😀", "👍", "🏽", "\u200d", "🇺", "🇸", "\u0301", "\u00a0", "\u3000", "٣", "½", "²"]
            + ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL"] + ["<|im_start|>", "<|im_end|>",
                                                                            "<|endoftext|>", "<mask>", "[SW]"])
    while len(texts) < 640:
        length = rng.choice([1, 2, 3, 5, 8, 13, 21, 34, 55, 89])
        texts.append("".join(rng.choice(pool) for _ in range(length)))
    # Random "words" joined by random whitespace, the shape most real text has.
    words = ["the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as",
             "with", "his", "they", "I", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word",
             "but", "not", "what", "all", "were", "we", "when", "your", "can", "said", "there", "use", "an",
             "each", "which", "she", "do", "how", "their", "if", "will", "up", "other", "about", "out", "many",
             "Hello", "World", "Swift", "token", "ization", "naïve", "日本", "über", "2024", "3.5", "x2", "don't"]
    separators = [" ", " ", " ", " ", "  ", "\n", "\t", ", ", ". ", "\n\n", " \n", "\r\n", "   "]
    while len(texts) < 720:
        n = rng.randrange(3, 30)
        texts.append("".join(rng.choice(words) + rng.choice(separators) for _ in range(n)).rstrip(" "))
    return texts


# ---------------------------------------------------------------------------------------------------------
# Training text


def training_text() -> list[str]:
    """Deterministic lines to train the small vocabularies on: words, code, numbers, other scripts."""
    rng = random.Random(7)
    english = ("the of and to in is you that it he was for on are as with his they at be this have from or "
               "one had by word but not what all were we when your can said there use an each which she do how "
               "their if will up other about out many then them these so some her would make like him into time "
               "has look two more write go see number no way could people my than first water been call who oil "
               "its now find long down day did get come made may part hello world token model swift language "
               "learning training data value return function class struct import print string integer").split()
    code_lines = ["def f(x):", "    return x + 1", "for i in range(10):", "if (a == b) {", "}", "let y = [1, 2, 3]",
                  "import Foundation", "print(\"hello\")", "    // comment", "\tint x = 0;", "x = {'a': 1}",
                  "SELECT * FROM t;", "<div class=\"c\">", "</div>", "    ", "\t\t"]
    foreign = ["你好世界", "日本語", "한국어", "Привет мир", "مرحبا", "नमस्ते", "Γειά", "café", "naïve", "Zürich",
               "😀", "👍🏽", "🇺🇸", "数据", "学习", "テスト", "über", "straße", "niño"]
    lines = []
    for _ in range(6000):
        kind = rng.random()
        if kind < 0.55:
            n = rng.randrange(4, 18)
            words = []
            for _ in range(n):
                w = rng.choice(english)
                if rng.random() < 0.1:
                    w = w.capitalize()
                if rng.random() < 0.03:
                    w = w.upper()
                if rng.random() < 0.05:
                    w += rng.choice(["'s", "'t", "'re", "'ll", "'ve", "'d", "'m"])
                words.append(w)
            line = " ".join(words) + rng.choice([".", ",", "!", "?", "", ":", ";"])
        elif kind < 0.75:
            line = "\n".join(rng.choice(code_lines) for _ in range(rng.randrange(1, 5)))
        elif kind < 0.87:
            line = " ".join(str(rng.randrange(10 ** rng.randrange(1, 7))) for _ in range(rng.randrange(1, 6)))
        else:
            line = " ".join(rng.choice(foreign) for _ in range(rng.randrange(1, 6)))
        if rng.random() < 0.1:
            line = "  " + line
        if rng.random() < 0.1:
            line += "\r\n" if rng.random() < 0.3 else "\n\n"
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------------------
# Building tokenizers


def added_token(content: str, token_id: int, special: bool = True, lstrip: bool = False, rstrip: bool = False,
                single_word: bool = False, normalized: bool = False) -> dict:
    return {"id": token_id, "content": content, "single_word": single_word, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": normalized, "special": special}


def train_byte_level(pre_tokenizer, normalizer, vocab_size: int) -> dict:
    tok = Tokenizer(BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=TRAINER_SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(training_text(), trainer=trainer)
    return json.loads(tok.to_str())


def finish_byte_level(trained: dict, pre_tokenizer: dict, normalizer: dict | None, ignore_merges: bool,
                      legacy_merges: bool) -> dict:
    model = trained["model"]
    vocab = dict(model["vocab"])
    merges = model["merges"]
    if ignore_merges:
        # Tokens no merge sequence reaches (Llama 3's vocabulary has such tokens): only `ignore_merges`
        # produces them, for a pre-token that is exactly the token.
        for token in UNREACHABLE:
            vocab.setdefault(token, len(vocab))
    if legacy_merges:
        merges = [" ".join(pair) for pair in merges]
    added = [added_token(t, vocab[t]) for t in TRAINER_SPECIALS]
    next_id = len(vocab)
    for extra in EXTRA_ADDED:
        added.append(added_token(token_id=next_id, **extra))
        next_id += 1
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": normalizer,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": ignore_merges, "vocab": vocab, "merges": merges},
    }


def byte_level(add_prefix_space: bool, use_regex: bool, trim_offsets: bool = True) -> dict:
    return {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": trim_offsets,
            "use_regex": use_regex}


def split(pattern: str) -> dict:
    return {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False}


def byte_level_tokenizers() -> dict[str, dict]:
    out = {}
    gpt2 = train_byte_level(pre_tokenizers.ByteLevel(add_prefix_space=False), None, 2000)
    out["gpt2"] = finish_byte_level(gpt2, byte_level(False, True), None, False, legacy_merges=True)
    out["gpt2-prefix-space"] = finish_byte_level(gpt2, byte_level(True, True), None, False, legacy_merges=False)

    llama3 = train_byte_level(pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3_PATTERN), "isolated"),
                                                       pre_tokenizers.ByteLevel(False, use_regex=False)]), None, 3000)
    out["llama3"] = finish_byte_level(
        llama3, {"type": "Sequence", "pretokenizers": [split(LLAMA3_PATTERN), byte_level(False, False)]},
        None, True, legacy_merges=False)

    qwen2 = train_byte_level(pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN2_PATTERN), "isolated"),
                                                      pre_tokenizers.ByteLevel(False, use_regex=False)]),
                             normalizers.NFC(), 2000)
    out["qwen2"] = finish_byte_level(
        qwen2, {"type": "Sequence", "pretokenizers": [split(QWEN2_PATTERN), byte_level(False, False, False)]},
        {"type": "NFC"}, False, legacy_merges=False)

    digits = train_byte_level(pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                       pre_tokenizers.ByteLevel(False, use_regex=True)]), None, 1500)
    out["digits-bytelevel"] = finish_byte_level(
        digits, {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True},
                                                       byte_level(False, True)]}, None, False, legacy_merges=False)
    return out


def sentencepiece_merges(pieces: list[str], scores: list[float]) -> list[list[str]]:
    """The merges Hugging Face's SentencePiece converter (`SentencePieceExtractor`) derives from scores."""
    vocab = {piece: i for i, piece in enumerate(pieces)}
    merges = []
    for piece, score in zip(pieces, scores):
        local = []
        for index in range(1, len(piece)):
            left, right = piece[:index], piece[index:]
            if left in vocab and right in vocab:
                local.append((left, right, score))
        local.sort(key=lambda x: (vocab[x[0]], vocab[x[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: m[2], reverse=True)
    return [[left, right] for left, right, _ in merges]


def sentencepiece_tokenizers() -> tuple[dict[str, dict], dict]:
    """A Llama 2 style and a Mistral (Metaspace) style tokenizer sharing one vocabulary, plus the GGUF view."""
    tok = Tokenizer(BPE())
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=2200, min_frequency=2, limit_alphabet=150, show_progress=False)
    tok.train_from_iterator(training_text(), trainer=trainer)
    trained = json.loads(tok.to_str())["model"]["vocab"]
    learned = sorted(trained, key=lambda t: trained[t])
    pieces = SP_SPECIALS + ["<0x%02X>" % b for b in range(256)] + learned
    scores = [0.0] * (3 + 256) + [-float(i) for i in range(len(learned))]
    types = [2, 3, 3] + [6] * 256 + [1] * len(learned)
    merges = sentencepiece_merges(pieces, scores)
    vocab = {piece: i for i, piece in enumerate(pieces)}
    added = [added_token(t, i) for i, t in enumerate(SP_SPECIALS)]
    next_id = len(vocab)
    for extra in SP_EXTRA:
        added.append(added_token(token_id=next_id, **extra))
        next_id += 1
    model = {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
             "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
             "vocab": vocab, "merges": merges}
    llama2 = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None, "post_processor": None,
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": model,
    }
    metaspace_added = added + [added_token(token_id=next_id, content="hello world", special=False, normalized=True),
                               added_token(token_id=next_id + 1, content="[SW]", special=False, single_word=True),
                               added_token(token_id=next_id + 2, content="<mask>", lstrip=True)]
    mistral = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": metaspace_added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False},
        "post_processor": None,
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False},
        "model": model,
    }
    gguf = {"model": "llama", "tokens": pieces + [t["content"] for t in SP_EXTRA], "scores": scores + [0.0, 0.0],
            "token_type": types + [3, 3], "bos_token_id": 1, "eos_token_id": 2, "unknown_token_id": 0,
            "add_bos_token": True, "add_space_prefix": True}
    return {"llama2-sp": llama2, "mistral-metaspace": mistral}, gguf


def smollm2_from_gguf(path: str) -> tuple[dict, dict]:
    """SmolLM2's tokenizer as its GGUF stores it, and the tokenizer.json it was converted from."""
    from gguf import GGUFReader

    fields = GGUFReader(path).fields

    def value(key):
        return fields[key].contents() if key in fields else None

    tokens = value("tokenizer.ggml.tokens")
    types = value("tokenizer.ggml.token_type")
    merges = value("tokenizer.ggml.merges")
    gguf = {"model": value("tokenizer.ggml.model"), "pre": value("tokenizer.ggml.pre"), "tokens": tokens,
            "token_type": types, "merges": merges, "bos_token_id": value("tokenizer.ggml.bos_token_id"),
            "eos_token_id": value("tokenizer.ggml.eos_token_id"),
            "unknown_token_id": value("tokenizer.ggml.unknown_token_id"),
            "padding_token_id": value("tokenizer.ggml.padding_token_id"),
            "add_bos_token": value("tokenizer.ggml.add_bos_token")}
    # The published tokenizer.json (HuggingFaceTB/SmolLM2-135M-Instruct): no normalizer, Digits then ByteLevel,
    # a BPE without unk/byte fallback, and the 17 leading tokens added as special, unstripped, unnormalized.
    hf = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added_token(tokens[i], i) for i in range(len(tokens)) if types[i] == 3],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True},
                                                                byte_level(False, True)]},
        "post_processor": byte_level(True, False),
        "decoder": byte_level(True, True),
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": merges},
    }
    return gguf, hf


# ---------------------------------------------------------------------------------------------------------
# Expected outputs


def expected(hf_json: dict, texts: list[str]) -> dict:
    tok = Tokenizer.from_str(json.dumps(hf_json))
    ids, plain, decoded, decoded_skip = [], {}, {}, {}
    for i, text in enumerate(texts):
        tok.encode_special_tokens = False
        parsed = tok.encode(text, add_special_tokens=False).ids
        tok.encode_special_tokens = True
        literal = tok.encode(text, add_special_tokens=False).ids
        ids.append(parsed)
        if literal != parsed:
            plain[str(i)] = literal
        full = tok.decode(parsed, skip_special_tokens=False)
        if full != text:
            decoded[str(i)] = full
        skipped = tok.decode(parsed, skip_special_tokens=True)
        if skipped != full:
            decoded_skip[str(i)] = skipped
    return {"ids": ids, "plain_text_ids": plain, "decoded": decoded, "decoded_skipping_special": decoded_skip}


def code_point_ranges(points) -> list[list[int]]:
    ranges: list[list[int]] = []
    for c in points:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return ranges


def unicode_classes() -> dict:
    scalars = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    text = "".join(map(chr, scalars))
    out = {}
    for name, pattern in [("letter", r"\p{L}"), ("number", r"\p{N}"), ("whitespace", r"\s")]:
        kept = set()
        for _, (start, end) in pre_tokenizers.Split(Regex(pattern), behavior="removed").pre_tokenize_str(text):
            kept.update(range(start, end))
        out[name] = code_point_ranges(scalars[i] for i in range(len(scalars)) if i not in kept)
    # Digits isolates each numeric character: with "a" between every two scalars, a one-character piece
    # other than "a" is a numeric character.
    interleaved = "a".join(map(chr, scalars))
    pieces = pre_tokenizers.Digits(individual_digits=True).pre_tokenize_str(interleaved)
    out["numeric"] = code_point_ranges(sorted(ord(p) for p, _ in pieces if len(p) == 1 and p != "a"))
    return out


def write_json(path: str, value) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def main() -> None:
    os.environ["RAYON_NUM_THREADS"] = "1"
    args = sys.argv[1:]
    gguf_path = os.path.expanduser("~/.cache/agent-lightning-swift/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    if "--gguf" in args:
        i = args.index("--gguf")
        gguf_path = args[i + 1]
        del args[i:i + 2]
    here = os.path.dirname(os.path.abspath(__file__))
    out = args[0] if args else os.path.join(here, "..", "..", "Tests", "LightningTokenizerTests", "Fixtures")
    os.makedirs(os.path.join(out, "tokenizers"), exist_ok=True)
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)

    texts = corpus()
    write_json(os.path.join(out, "corpus.json"), texts)

    tokenizers_json = byte_level_tokenizers()
    sp, sp_gguf = sentencepiece_tokenizers()
    tokenizers_json.update(sp)
    for name, hf in tokenizers_json.items():
        write_json(os.path.join(out, "tokenizers", name + ".json"), hf)
        write_json(os.path.join(out, "expected", name + ".json"), expected(hf, texts))
    write_json(os.path.join(out, "llama2-sp-gguf.json"), sp_gguf)

    if os.path.exists(gguf_path):
        gguf, hf = smollm2_from_gguf(gguf_path)
        write_json(os.path.join(out, "smollm2-gguf.json"), gguf)
        write_json(os.path.join(out, "expected", "smollm2.json"), expected(hf, texts))
    else:
        print(f"no GGUF at {gguf_path}: SmolLM2 fixtures left as they are", file=sys.stderr)

    write_json(os.path.join(out, "unicode-classes.json"), unicode_classes())
    print(f"{len(texts)} strings, {len(tokenizers_json)} trained tokenizers written to {out}")


if __name__ == "__main__":
    main()
