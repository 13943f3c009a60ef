"""Writes python-asctime.log, python-dashes.log and python-default.log with Python's own logging
module: the layouts tests/e2e/app_formats_test.cc reads. Run from tests/testdata/applogs."""
import logging


def work(log):
    log.info("connected to db-1 in 12 ms")
    log.debug("cache warm: 812 keys")
    log.warning("retrying charge 7 (attempt 2)")
    for job in (41, 42):
        try:
            int("x" if job == 42 else "7")
            log.info("job %d done", job)
        except ValueError:
            log.exception("job %d failed", job)
    try:
        {}["customer"]
    except KeyError:
        log.critical("shutting down", exc_info=True)
    log.error("payment provider answered 503")


for name, fmt in (("python-asctime.log", "%(asctime)s %(levelname)s %(name)s: %(message)s"),
                  ("python-dashes.log", "%(asctime)s - %(name)s - %(levelname)s - %(message)s"),
                  ("python-default.log", logging.BASIC_FORMAT)):
    handler = logging.FileHandler(name, mode="w")
    handler.setFormatter(logging.Formatter(fmt))
    log = logging.getLogger("billing.worker")
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    work(log)
    handler.close()
