"""Writes run_squad_golden.json: features and predictions computed by Google's own run_squad.py.

Usage: python3 make_run_squad_golden.py BERT_REPO VOCAB_TXT OUT_JSON
  BERT_REPO  a checkout of https://github.com/google-research/bert (run_squad.py, tokenization.py; used as is)
  VOCAB_TXT  core/src/main/resources/org/jbert/core/tokenize/bert-base-uncased-vocab.txt

TensorFlow is not needed: the few tf.* calls that feature conversion and write_predictions make (flags, logging,
gfile) are served by a stub module. Logits are seeded random float32 values, stored in the output.
"""
import json
import os
import sys
import tempfile
import types

import numpy as np

repo, vocab, out = sys.argv[1:4]

# --- a stand-in for the parts of tensorflow that run_squad.py and tokenization.py touch outside the model ---
class _Flags:
  pass

FLAGS = _Flags()

def _define(name, default, *args, **kwargs):
  setattr(FLAGS, name, default)

tf = types.ModuleType("tensorflow")
tf.flags = types.SimpleNamespace(FLAGS=FLAGS, DEFINE_string=_define, DEFINE_bool=_define,
                                 DEFINE_integer=_define, DEFINE_float=_define, mark_flag_as_required=lambda n: None)
tf.logging = types.SimpleNamespace(info=lambda *a, **k: None, warning=lambda *a, **k: None)
tf.gfile = types.SimpleNamespace(Open=open, GFile=open)
sys.modules["tensorflow"] = tf
sys.modules["modeling"] = types.ModuleType("modeling")
sys.modules["optimization"] = types.ModuleType("optimization")
sys.path.insert(0, repo)
import run_squad  # noqa: E402
import tokenization  # noqa: E402

MAX_SEQ_LENGTH, MAX_QUERY_LENGTH, DOC_STRIDE = 40, 8, 9
N_BEST_SIZE, MAX_ANSWER_LENGTH, NULL_THRESHOLD = 5, 6, 0.5

# Single spaces only: run_squad.py's get_final_text re-joins whitespace words with one space, jbert keeps the original.
LONG = ("The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, a region in "
        "France. They were descended from Norse raiders and pirates from Denmark, Iceland and Norway who, under "
        "their leader Rollo, agreed to swear fealty to King Charles III of West Francia. Through generations of "
        "assimilation and mixing with the native Frankish and Roman-Gaulish populations, their descendants would "
        "gradually merge with the Carolingian-based cultures of West Francia.")
CAFE = ("The Café Müller opened in 1921 in Berlin's Mitte district, near the naïve résumé shop on the "
        "Nürburgring road.")

def qa(qid, question, context, answer=None, impossible=False):
  answers = [] if answer is None else [{"text": answer, "answer_start": context.index(answer)}]
  return {"id": qid, "question": question, "answers": answers, "is_impossible": impossible}

squad = {"version": "v2.0", "data": [{"title": "golden", "paragraphs": [
    {"context": LONG, "qas": [
        qa("long-rollo", "Who was the leader of the Norse raiders?", LONG, "Rollo"),
        qa("long-charles", "To whom did they swear fealty?", LONG, "King Charles III of West Francia"),
        qa("long-impossible", "What did the Normans eat for breakfast every day?", LONG, impossible=True)]},
    {"context": CAFE, "qas": [
        qa("cafe-berlin", "In which city did Café Müller open?", CAFE, "Berlin"),
        qa("cafe-shop", "What shop was near the café?", CAFE, "naïve résumé shop")]}]}]}

tmp = tempfile.mkdtemp()
squad_file = os.path.join(tmp, "squad.json")
with open(squad_file, "w", encoding="utf-8") as f:
  json.dump(squad, f, ensure_ascii=False)

FLAGS.version_2_with_negative = True
FLAGS.null_score_diff_threshold = NULL_THRESHOLD
FLAGS.verbose_logging = False
examples = run_squad.read_squad_examples(squad_file, is_training=True)
assert len(examples) == 5, "run_squad.py dropped an example"
tokenizer = tokenization.FullTokenizer(vocab_file=vocab, do_lower_case=True)
features = []
run_squad.convert_examples_to_features(examples, tokenizer, MAX_SEQ_LENGTH, DOC_STRIDE, MAX_QUERY_LENGTH,
                                       is_training=True, output_fn=features.append)

rng = np.random.default_rng(20261126)
results = []
for feat in features:
  s = (rng.standard_normal(MAX_SEQ_LENGTH) * 3).astype(np.float32)
  e = (rng.standard_normal(MAX_SEQ_LENGTH) * 3).astype(np.float32)
  if examples[feat.example_index].qas_id == "long-impossible":  # make the null answer win under v2.0
    s[0] += 14.0
    e[0] += 14.0
  results.append(run_squad.RawResult(unique_id=feat.unique_id, start_logits=[float(x) for x in s],
                                     end_logits=[float(x) for x in e]))

def predictions(version_2):
  FLAGS.version_2_with_negative = version_2
  d = tempfile.mkdtemp()
  files = [os.path.join(d, n) for n in ("predictions.json", "nbest.json", "null_odds.json")]
  run_squad.write_predictions(examples, features, results, N_BEST_SIZE, MAX_ANSWER_LENGTH, True, *files)
  loaded = [json.load(open(p, encoding="utf-8")) if os.path.exists(p) else None for p in files]
  return {"predictions": loaded[0], "nbest": loaded[1], "null_odds": loaded[2]}

golden = {
    "source": "google-research/bert run_squad.py (convert_examples_to_features, write_predictions), "
              "uncased bundled vocab, via make_run_squad_golden.py",
    "max_seq_length": MAX_SEQ_LENGTH, "max_query_length": MAX_QUERY_LENGTH, "doc_stride": DOC_STRIDE,
    "n_best_size": N_BEST_SIZE, "max_answer_length": MAX_ANSWER_LENGTH, "null_score_diff_threshold": NULL_THRESHOLD,
    "squad": squad,
    "features": [{
        "example_index": f.example_index, "doc_span_index": f.doc_span_index, "input_ids": f.input_ids,
        "input_mask": f.input_mask, "segment_ids": f.segment_ids,
        "token_is_max_context": [int(p) for p, v in sorted(f.token_is_max_context.items()) if v],
        "start_position": f.start_position, "end_position": f.end_position,
        "start_logits": r.start_logits, "end_logits": r.end_logits} for f, r in zip(features, results)],
    "v1": predictions(False),
    "v2": predictions(True),
}
with open(out, "w", encoding="utf-8") as f:
  json.dump(golden, f, ensure_ascii=False, indent=1)
print(len(features), "features")
