package org.jbert.core;

/**
 * An error caused by the user's input (a file, a config key, a text, a label, a weight), with a one-line message
 * that names the offending file, key or value and says what was expected. The CLI prints the message alone,
 * without a stack trace; library callers can catch it like any other unchecked exception.
 */
public class JbertException extends RuntimeException {
  public JbertException(String message) {
    super(message);
  }

  public JbertException(String message, Throwable cause) {
    super(message, cause);
  }
}
