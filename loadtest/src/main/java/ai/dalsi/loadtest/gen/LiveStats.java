package ai.dalsi.loadtest.gen;

import java.time.Duration;

/**
 * A running run's numbers, once a second: what the progress line shows.
 *
 * @param elapsed     since the start
 * @param completed   answered so far
 * @param rate        answers per second during the last interval
 * @param non2xx      answered with a status outside 2xx so far
 * @param failed      without any response so far
 * @param p99Micros   99th percentile latency so far, in microseconds
 */
public record LiveStats(Duration elapsed, long completed, double rate, long non2xx, long failed, long p99Micros) {
}
