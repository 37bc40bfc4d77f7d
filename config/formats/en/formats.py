"""English dates and times as a Swedish public body writes them in English: 2026-12-04 20:31, not
12/04/2026 8:31 p.m. Numbers keep the English marks (1,234.50); Swedish uses Django's own sv formats."""
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATETIME_FORMAT = "j F Y H:i"
TIME_FORMAT = "H:i"
