#include "runtime/module_images.hpp"

#include "decoder/const_expr_reader.hpp"
#include "memory/linear_memory.hpp"
#include "memory/memory_image.hpp"
#include "runtime/const_eval.hpp"
#include "runtime/store.hpp"

namespace wsvm {
namespace {

// The same offset for every instance: the expression reads no global (t.const and the
// extended-const arithmetic only).
bool instance_independent(const Module& m, const ConstExpr& e) {
  ConstExprReader reader(m, e);
  Instr in;
  for (;;) {
    auto more = reader.next(in);
    if (!more) return false;
    if (!*more) return true;
    if (in.op == Op::global_get) return false;
  }
}

// The images of inst's module's defined memories, or null when an image cannot stand for
// its active data segments (module_images.hpp) or making one fails.
std::shared_ptr<const MemoryImages> make_images(const Instance& inst) {
  const Module& m = inst.module();
  const size_t defined = m.memories.size() - m.imported_memories;
  if (defined == 0) return nullptr;
  std::vector<std::vector<memory::ImageWrite>> writes(defined);
  const std::span<const uint8_t> bytes(m.bytes);
  for (const DataSegment& seg : m.datas) {
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory < m.imported_memories || !instance_independent(m, seg.offset)) return nullptr;
    auto offset = eval_const_expr(seg.offset, inst);
    if (!offset || offset->type != ValType::I32) return nullptr;
    const uint64_t at = offset->i32;
    const uint64_t size = m.memories[seg.memory].limits.min * memory::kWasmPageSize;
    if (at > size || seg.bytes_size > size - at) return nullptr;  // instantiation traps
    writes[seg.memory - m.imported_memories].push_back({at, bytes.subspan(seg.bytes_offset, seg.bytes_size)});
  }
  auto images = std::make_shared<MemoryImages>();
  for (size_t i = 0; i < defined; ++i) {
    const Limits& limits = m.memories[m.imported_memories + i].limits;
    // A 64-bit memory copies its segments: images are mapped into the 8 GiB reservation of
    // a 32-bit memory (memory/memory_image.hpp), and its offsets are i64.
    if (limits.addr64) return nullptr;
    if (limits.min > 65536) return nullptr;  // never instantiable as a 32-bit memory
    auto image = memory::MemoryImage::create(limits.min, writes[i], nullptr);
    if (!image) return nullptr;
    images->memories.push_back(std::move(image));
  }
  return images;
}

}  // namespace

std::shared_ptr<const MemoryImages> ModuleImageCache::for_instantiation(const Instance& inst) {
  std::lock_guard lock(m_mutex);
  switch (m_state) {
    case State::Ready: return m_images;
    case State::Never: return nullptr;
    case State::Unused: m_state = State::UsedOnce; return nullptr;
    case State::UsedOnce: break;
  }
  m_images = make_images(inst);
  m_state = m_images ? State::Ready : State::Never;
  return m_images;
}

}  // namespace wsvm
