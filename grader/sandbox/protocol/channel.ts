/**
 * The child's file descriptors, as the parent lays them out when it starts the child:
 * 0 closed, 1 and 2 the student's output (captured, never parsed), MESSAGE_FD a private
 * socket pair carrying framed messages both ways, PROGRESS_FD a pipe of fixed-size progress
 * records.
 */
export const MESSAGE_FD = 3;

/**
 * Progress does not travel as messages (one per run would cost a frame each way) but on a pipe
 * of its own: before each run the child writes one record, the request id and the run's index
 * as two native-endian uint32, so a timeout or crash can be pinned on one run. The parent keeps
 * only the latest whole record.
 */
export const PROGRESS_FD = 4;
export const PROGRESS_RECORD_BYTES = 8;

/** The largest frame the parent accepts from a child (results are far smaller). */
export const MAX_CHILD_FRAME_BYTES = 64 * 1024 * 1024;
/** The largest frame the child accepts from the parent. */
export const MAX_PARENT_FRAME_BYTES = 512 * 1024 * 1024;
