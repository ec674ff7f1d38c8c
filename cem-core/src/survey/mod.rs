//! Questionnaire definitions, validation of answers and scoring (in progress).
