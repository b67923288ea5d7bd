#include "pipeline/stream_pipeline.h"

#include <thread>

#include "stages/core/invariant.h"

namespace logstream {

Expected<std::unique_ptr<StreamPipeline>> StreamPipeline::create(const ChunkParser& parser,
                                                                 const QueryExecutor* executor,
                                                                 PipelineOptions options, WarningHandler warn,
                                                                 BatchClosedHandler on_closed,
                                                                 ChunkRowsHandler on_rows) {
  const unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // Set-up that can fail happens here, before the graph starts: each thread later builds its own context.
  auto probe = parser.make_context();
  if (!probe) return Error{probe.error()};
  if (executor) {
    auto query_probe = executor->make_context();
    if (!query_probe) return Error{query_probe.error()};
  }
  return std::unique_ptr<StreamPipeline>(new StreamPipeline(
      parser, executor, options, threads, std::move(warn), std::move(on_closed), std::move(on_rows)));
}

StreamPipeline::StreamPipeline(const ChunkParser& parser, const QueryExecutor* executor,
                               PipelineOptions options, unsigned threads, WarningHandler warn,
                               BatchClosedHandler on_closed, ChunkRowsHandler on_rows)
    : threads_(threads),
      thread_limit_(tbb::global_control::max_allowed_parallelism, threads),
      parser_(parser),
      pool_(threads * options.chunks_per_thread + 2, options.chunk_size),
      reader_(pool_, parser, std::move(warn), options.announce_formats),
      on_closed_(std::move(on_closed)),
      on_rows_(std::move(on_rows)),
      contexts_([this] {
        // create() made one context already, so only running out of memory can fail here.
        auto context = parser_.make_context();
        if (!context) fail_at_runtime("cannot set up a parser thread: " + context.error());
        return std::move(context).value();
      }),
      executor_(executor),
      query_contexts_([this] {
        auto context = executor_->make_context();
        if (!context) fail_at_runtime("cannot set up a query thread: " + context.error());
        return std::move(context).value();
      }) {
  if (executor_) {
    chunk_results_.reserve(pool_.chunk_count());
    chunk_results_.resize(pool_.chunk_count());
    batch_state_.emplace(executor_->functions(), executor_->has_tallies()
                                                     ? std::optional(executor_->tally_functions())
                                                     : std::nullopt);
    orders_rows_ = !executor_->plan().grouped;
  }
  build_graph();
}

void StreamPipeline::build_graph() {
  using namespace tbb::flow;
  // One chunk may wait inside the input node while the limiter is full; the rest are in flight.
  const size_t in_flight_limit = pool_.chunk_count() - 1;

  read_ = std::make_unique<input_node<Chunk*>>(graph_, [this](tbb::flow_control& control) -> Chunk* {
    Chunk* chunk = reader_.next();
    if (!chunk) control.stop();
    return chunk;
  });
  in_flight_ = std::make_unique<limiter_node<Chunk*>>(graph_, in_flight_limit);
  parse_ = std::make_unique<function_node<Chunk*, Chunk*>>(graph_, threads_, [this](Chunk* chunk) {
    if (executor_) {
      executor_->process(*query_contexts_.local(), *chunk, chunk_results_[chunk->pool_slot]);
    } else {
      parser_.process(contexts_.local(), *chunk);
    }
    return chunk;
  });
  merge_ = std::make_unique<function_node<Chunk*, continue_msg>>(graph_, serial, [this](Chunk* chunk) {
    const bool closed = accumulator_.add(*chunk);
    if (executor_) batch_state_->take_spilled(chunk_results_[chunk->pool_slot]);
    if (orders_rows_ && chunk->shape != ChunkShape::kBatchEnd) {
      // Rows leave in input order: a chunk waits here, holding its buffer and its place in the limiter,
      // until every chunk before it has gone, so the wait is bounded by the pool.
      waiting_.emplace(chunk->sequence, chunk);
      while (!waiting_.empty() && waiting_.begin()->first == next_sequence_) {
        Chunk* next = waiting_.begin()->second;
        waiting_.erase(waiting_.begin());
        ++next_sequence_;
        ChunkResult& result = chunk_results_[next->pool_slot];
        batch_state_->append_rows(result, executor_->rows_kept());
        if (on_rows_ && (!result.text.jsonl.empty() || !result.text.csv.empty()))
          on_rows_(accumulator_.batch_id(), result.text);
        release(next);
      }
    } else {
      release(chunk);
    }
    if (closed) {
      if (!waiting_.empty()) fail_invariant("a batch closed with chunks still waiting for their turn");
      // Every chunk of the batch is parsed and merged: the parser threads' partials are complete.
      if (executor_) {
        for (auto& context : query_contexts_) batch_state_->take_partial(*context);
      }
      on_closed_(accumulator_.batch_id(), accumulator_.counts());
    }
    return continue_msg();
  });

  make_edge(*read_, *in_flight_);
  make_edge(*in_flight_, *parse_);
  make_edge(*parse_, *merge_);
  // merge -> in_flight.decrementer() is by hand (release): a chunk whose rows wait their turn is still
  // in flight.
}

void StreamPipeline::release(Chunk* chunk) {
  pool_.release(chunk);
  in_flight_->decrementer().try_put(tbb::flow::continue_msg());
}

std::vector<CountedFile> StreamPipeline::run_batch(uint64_t batch_id, std::vector<FileTask> files,
                                                   const std::atomic<bool>* cancel) {
  accumulator_.start(batch_id);
  if (batch_state_) batch_state_->clear();
  next_sequence_ = 0;
  reader_.start(batch_id, std::move(files), cancel);
  read_->activate();
  graph_.wait_for_all();
  // Only a bug can fail this: every path through the reader ends with the batch-end marker.
  if (!accumulator_.closed()) fail_invariant("batch " + std::to_string(batch_id) + " did not close");
  return reader_.take_counted_files();
}

}  // namespace logstream
