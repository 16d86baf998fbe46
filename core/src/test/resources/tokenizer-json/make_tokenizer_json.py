"""Writes the tokenizer.json fixtures with Hugging Face `tokenizers` from the bundled vocab.txt files, and checks
that `tokenizers` itself gives the golden ids (hf-tokenizer-golden.json.gz) with them. Run from this folder:
python3 make_tokenizer_json.py (tokenizers 0.23.2)."""
import gzip, json, os
import tokenizers
from tokenizers import BertWordPieceTokenizer

VOCABS = "../../../main/resources/org/jbert/core/tokenize/"
golden = json.load(gzip.open("../tokenizer/hf-tokenizer-golden.json.gz"))
for case, lower in (("uncased", True), ("cased", False)):
    tok = BertWordPieceTokenizer(VOCABS + f"bert-base-{case}-vocab.txt", lowercase=lower)
    tok.save(f"tokenizer-{case}.json")
    rows = golden[case]["rows"]
    same = sum(tok.encode(t, add_special_tokens=False).ids == r["ids"] for t, r in zip(golden["texts"], rows))
    print(case, "tokenizers", tokenizers.__version__, "ids equal to the golden on", same, "of", len(rows), "texts")
    with open(f"tokenizer-{case}.json", "rb") as f, gzip.GzipFile(f"tokenizer-{case}.json.gz", "wb", mtime=0) as g:
        g.write(f.read())
    os.remove(f"tokenizer-{case}.json")
