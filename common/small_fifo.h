#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace sp {

// A first-in first-out queue that costs nothing until used: an empty std::deque already
// allocates its map and a 512-byte block, which every idle connection would pay several
// times over. Elements live in a vector from `head_` on; the consumed front is reclaimed
// when it outgrows the rest, and the storage is released when the queue empties after
// having held many (a long pipeline), so that what it keeps is bounded by kKeepCapacity.
template <typename T>
class SmallFifo {
 public:
  static constexpr std::size_t kKeepCapacity = 64;

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  std::size_t capacity() const { return items_.capacity(); }

  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T& operator[](std::size_t i) { return items_[head_ + i]; }
  T& back() { return items_.back(); }
  const T& back() const { return items_.back(); }

  void push_back(T value) { items_.push_back(std::move(value)); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  // Rare (a reply that must go before those queued): O(size) when nothing was consumed.
  T& emplace_front() {
    if (head_ > 0) {
      --head_;
      items_[head_] = T();
      return items_[head_];
    }
    items_.insert(items_.begin(), T());
    return items_.front();
  }

  void pop_front() {
    items_[head_] = T();  // its resources go now, not when the slot is reused
    ++head_;
    if (head_ == items_.size()) {
      clear();
    } else if (head_ >= kKeepCapacity && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  void clear() {
    if (items_.capacity() > kKeepCapacity) {
      std::vector<T>().swap(items_);
    } else {
      items_.clear();
    }
    head_ = 0;
  }

  auto begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const { return items_.end(); }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace sp
