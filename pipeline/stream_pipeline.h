// The oneTBB flow graph of the design card, wired once and reused for every batch:
//
//   read (input_node, serial) -> in_flight (limiter_node: pool size) -> parse (function_node, N threads)
//     -> merge (function_node, serial; closes the batch on its last chunk) -> in_flight.decrementer()
//
// Each parse call counts one chunk into the partial counts that travel with that chunk, using the
// calling thread's own parser context; the merge stage adds them up and hands the closed batch on. With a
// query beyond the seed's status count, the parse call also runs the query's executor on the chunk into
// the partial kept beside the pool under the chunk's slot, and the merge stage folds that partial into
// the batch's state.
#pragma once

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <functional>
#include <map>
#include <memory>

#include "pipeline/batch_reader.h"
#include "pipeline/chunk_pool.h"
#include "stages/execution/query_executor.h"
#include "stages/merger/batch_accumulator.h"
#include "stages/parser/chunk_parser.h"

namespace logstream {

struct PipelineOptions {
  unsigned threads = 0;          // 0: every core
  size_t chunk_size = 1 << 20;   // bytes per chunk; also the longest line the fixed formats accept
  size_t chunks_per_thread = 3;  // pool size = threads * chunks_per_thread + 2
  bool announce_formats = true;  // say on stderr which format --format auto picked for each file
};

// Called by the merge stage when a batch closes, with that batch's counts (not the running total).
using BatchClosedHandler = std::function<void(uint64_t batch_id, const LineCounts& batch_counts)>;
// Called by the merge stage with the rendered rows of each chunk of a streaming query, in input order,
// before the batch closes.
using ChunkRowsHandler = std::function<void(uint64_t batch_id, const RenderedRows& rows)>;

class StreamPipeline {
 public:
  // `executor` (may be null: the status count) outlives the pipeline.
  static Expected<std::unique_ptr<StreamPipeline>> create(const ChunkParser& parser,
                                                          const QueryExecutor* executor,
                                                          PipelineOptions options, WarningHandler warn,
                                                          BatchClosedHandler on_closed,
                                                          ChunkRowsHandler on_rows = nullptr);

  // Runs one batch over `files` and returns once the merge stage has closed it and handed it on; returns
  // the files read and how far each was counted.
  // `cancel` (may be null): when it becomes true, the batch ends at the next chunk and
  // last_batch_cancelled() holds; the batch-closed handler is called all the same.
  std::vector<CountedFile> run_batch(uint64_t batch_id, std::vector<FileTask> files,
                                     const std::atomic<bool>* cancel = nullptr);

  unsigned threads() const noexcept { return threads_; }
  // The counts of the batch run last (valid until the next run_batch).
  const LineCounts& last_batch_counts() const noexcept { return accumulator_.counts(); }
  // The query's groups or rows of the batch run last (with an executor only); the batch-closed handler
  // may take from it.
  QueryExecutor::BatchState& last_batch_state() noexcept { return *batch_state_; }
  bool last_batch_cancelled() const noexcept { return reader_.cancelled(); }
  // The first failed Hyperscan result of the batch run last, or 0.
  int last_batch_scan_error() const noexcept { return accumulator_.scan_error(); }
  const std::vector<std::string>& last_batch_unreadable_files() const noexcept {
    return reader_.unreadable_files();
  }
  size_t last_batch_files_opened() const noexcept { return reader_.files_opened(); }
  // Lines read and accepted per file opened by the batch run last, with the files' paths.
  const std::vector<BatchAccumulator::FileLines>& last_batch_lines_by_file() const noexcept {
    return accumulator_.lines_by_file();
  }
  const std::vector<std::string>& last_batch_paths() const noexcept { return reader_.opened_paths(); }
  const std::vector<uint32_t>& last_batch_parsers() const noexcept { return reader_.opened_parsers(); }
  // Bytes handed to the parse stage since the pipeline was created; read from any thread (progress bar).
  uint64_t bytes_read() const noexcept { return reader_.bytes_read(); }
  size_t pool_bytes() const noexcept { return pool_.chunk_count() * pool_.chunk_capacity(); }

 private:
  StreamPipeline(const ChunkParser& parser, const QueryExecutor* executor, PipelineOptions options,
                 unsigned threads, WarningHandler warn, BatchClosedHandler on_closed,
                 ChunkRowsHandler on_rows);
  void release(Chunk* chunk);  // back to the pool, and out of the limiter
  void build_graph();

  unsigned threads_;
  tbb::global_control thread_limit_;
  const ChunkParser& parser_;
  ChunkPool pool_;
  BatchReader reader_;
  BatchAccumulator accumulator_;
  BatchClosedHandler on_closed_;
  ChunkRowsHandler on_rows_;
  tbb::enumerable_thread_specific<ChunkParser::Context> contexts_;
  const QueryExecutor* executor_;
  tbb::enumerable_thread_specific<std::unique_ptr<QueryExecutor::Context>> query_contexts_;
  std::vector<ChunkResult> chunk_results_;  // by Chunk::pool_slot
  std::optional<QueryExecutor::BatchState> batch_state_;
  // A query without aggregation: chunks merged out of order wait here for their turn.
  bool orders_rows_ = false;
  std::map<uint64_t, Chunk*> waiting_;
  uint64_t next_sequence_ = 0;

  tbb::flow::graph graph_;
  std::unique_ptr<tbb::flow::input_node<Chunk*>> read_;
  std::unique_ptr<tbb::flow::limiter_node<Chunk*>> in_flight_;
  std::unique_ptr<tbb::flow::function_node<Chunk*, Chunk*>> parse_;
  std::unique_ptr<tbb::flow::function_node<Chunk*, tbb::flow::continue_msg>> merge_;
};

}  // namespace logstream
