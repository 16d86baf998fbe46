package org.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SquadReaderTest {
  @TempDir Path dir;

  private Path file(String json) throws Exception {
    Path p = dir.resolve("squad.json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void readsV2WithSeveralAnswersAndImpossibleQuestions() throws Exception {
    // "Denver Broncos" starts at 0; "Broncos" at 7 (a second gold answer, as SQuAD's dev files give).
    Path p = file("""
        {"version": "v2.0", "data": [{"title": "SB50", "paragraphs": [{
          "context": "Denver Broncos won Super Bowl 50.",
          "qas": [
            {"id": "q1", "question": "Who won?", "answers": [
              {"text": "Denver Broncos", "answer_start": 0}, {"text": "Broncos", "answer_start": 7}],
             "is_impossible": false},
            {"id": "q2", "question": "Who lost?", "answers": [], "is_impossible": true,
             "plausible_answers": [{"text": "Denver", "answer_start": 0}]}
          ]}]}]}
        """);
    List<QaExample> qs = SquadReader.read(p);
    assertEquals(2, qs.size());
    QaExample q1 = qs.get(0);
    assertEquals("q1", q1.id());
    assertEquals("Who won?", q1.question());
    assertEquals(List.of(new QaExample.Answer("Denver Broncos", 0, 14), new QaExample.Answer("Broncos", 7, 14)),
        q1.answers());
    assertFalse(q1.impossible());
    assertTrue(qs.get(1).impossible());
    assertTrue(qs.get(1).answers().isEmpty(), "plausible answers are not gold answers");
  }

  @Test
  void offsetsAreCodePointsAsInPython() throws Exception {
    // U+1F600 is two Java chars but one Python character: SQuAD's answer_start 2 points at "cat".
    Path p = file("""
        {"data": [{"paragraphs": [{"context": "\\ud83d\\ude00 cat sat",
          "qas": [{"id": "e", "question": "what?", "answers": [{"text": "cat", "answer_start": 2}]}]}]}]}
        """);
    QaExample q = SquadReader.read(p).get(0);
    assertEquals(new QaExample.Answer("cat", 2, 5), q.answers().get(0));
    assertEquals("cat", SquadReader.substring(q.context(), 2, 5));
  }

  @Test
  void aShiftedAnswerNamesFileQuestionOffsetAndBothTexts() throws Exception {
    // Off by one, and with a whitespace difference: both are errors under the exact comparison.
    Path p = file("""
        {"data": [{"paragraphs": [{"context": "The  quick brown fox.",
          "qas": [{"id": "5733be284776f41900661182", "question": "Which fox?",
                   "answers": [{"text": "quick brown", "answer_start": 4}]}]}]}]}
        """);
    String m = assertThrows(JbertException.class, () -> SquadReader.read(p)).getMessage();
    assertEquals(p + ": question 5733be284776f41900661182: answer text \"quick brown\" is not at answer_start 4;"
        + " the context there (21 code points long) reads \" quick brow\"", m);

    Path past = file("""
        {"data": [{"paragraphs": [{"context": "short",
          "qas": [{"id": "q9", "question": "?", "answers": [{"text": "shorter", "answer_start": 3}]}]}]}]}
        """);
    m = assertThrows(JbertException.class, () -> SquadReader.read(past)).getMessage();
    assertTrue(m.startsWith(past + ": question q9: answer text \"shorter\" is not at answer_start 3")
        && m.endsWith("reads \"rt\""), m);
  }

  @Test
  void structuralErrorsNameThePath() throws Exception {
    Path p = file("{\"data\": [{\"paragraphs\": [{\"qas\": []}]}]}");
    String m = assertThrows(JbertException.class, () -> SquadReader.read(p)).getMessage();
    assertEquals(p + ": data[0].paragraphs[0]: \"context\" is missing; expected a string", m);

    Path q = file("{\"data\": [{\"paragraphs\": [{\"context\": \"c\", \"qas\": [{\"id\": \"x\", \"question\": \"?\","
        + " \"answers\": [{\"text\": \"c\", \"answer_start\": \"0\"}]}]}]}]}");
    m = assertThrows(JbertException.class, () -> SquadReader.read(q)).getMessage();
    assertEquals(q + ": question x: answers[0]: \"answer_start\" is \"0\"; expected an integer", m);

    Path bad = file("{\"data\": [");
    m = assertThrows(JbertException.class, () -> SquadReader.read(bad)).getMessage();
    assertTrue(m.startsWith(bad + ": not valid JSON"), m);
  }
}
