// When analysis windows of a glassdyn compute begin and end, and the interfaces between the
// per-atom store, the window schedule and the computes that own them.
#pragma once

#include "lmptype.h"

#include <vector>

namespace LAMMPS_NS {

// A time source that decides analysis-window boundaries. `compute stringlike/atom window N`
// uses a RegularWindowClock; a fix that drives an oscillation (fix dms) implements this
// interface so that windows coincide with its cycles (keyword `sync FIX-ID`).
class WindowClock {
 public:
  // May a first window begin at this step?
  virtual bool may_start_window(bigint step) const = 0;
  // The step at which a window that began at `window_start` ends.
  virtual bigint window_end(bigint window_start) const = 0;
  // The first step >= `step` at which a window may begin (named in warnings, so it must be
  // the true step, not a guess).
  virtual bigint next_window_start(bigint step) const = 0;

 protected:
  // Not deleted through this interface; non-virtual so LAMMPS classes can implement it
  // (their destructors are noexcept(false)).
  ~WindowClock() = default;
};

class RegularWindowClock final : public WindowClock {
 public:
  explicit RegularWindowClock(bigint length) : length_(length) {}
  bool may_start_window(bigint) const override { return true; }
  bigint window_end(bigint window_start) const override { return window_start + length_; }
  bigint next_window_start(bigint step) const override { return step; }

 private:
  bigint length_;
};

// The owner of a per-atom store (fix GLASSDYN/WINDOW): told when the store is destroyed (by
// its owner, or by a user's `unfix`), so that no pointer into it survives; asked to fill the
// row of an atom created mid-run, and for the global values it keeps in restart files.
class StoreOwner {
 public:
  virtual void store_deleted() = 0;
  // Row i was just created (see initialise_atom); an owner with more than one copy of a row's
  // reference (staggered windows) fills them all here.
  virtual void atom_created(int i) { initialise_atom(i); }
  // Row i was just created (create_atoms, fix deposit, ...) and holds zeros.
  virtual void initialise_atom(int /*i*/) {}
  // Global values the store writes to restart files for its owner (read back with
  // FixWindowStore::restored_state()).
  virtual std::vector<double> restart_state() const { return {}; }

 protected:
  ~StoreOwner() = default;
};

// A windowed compute, driven by its schedule (fix GLASSDYN/SCHEDULE): it evaluates a finished
// window from the reference it stored, then records the reference of the window that starts;
// an atom created while a window is open gets its reference from it too.
class WindowListener : public StoreOwner {
 public:
  virtual void finish_window(bigint window_start, bigint window_end) = 0;
  virtual void begin_window() = 0;
  // With staggered windows (origins K > 1) the schedule names the origin slot 0..K-1 of the
  // window; the owner makes that slot's reference the one finish_window()/begin_window() see.
  virtual void finish_origin_window(int /*origin*/, bigint window_start, bigint window_end)
  {
    finish_window(window_start, window_end);
  }
  virtual void begin_origin_window(int /*origin*/) { begin_window(); }
  void initialise_atom(int i) override = 0;
  // The schedule fix was destroyed (by its owner, or by a user's `unfix`).
  virtual void schedule_deleted() = 0;

 protected:
  ~WindowListener() = default;
};

}    // namespace LAMMPS_NS
