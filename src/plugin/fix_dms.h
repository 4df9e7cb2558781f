/* glassdyn: fix dms

   MD dynamic mechanical spectroscopy: an oscillatory strain applied to the box, with the
   storage and loss moduli fitted per cycle on the fly. See docs/fix_dms.md.
*/

#ifdef FIX_CLASS
// clang-format off
FixStyle(dms,FixDMS);
// clang-format on
#else

#ifndef GLASSDYN_FIX_DMS_H
#define GLASSDYN_FIX_DMS_H

#include "fix.h"
#include "window_clock.h"

#include "cycle_fit.hpp"
#include "schema/dms.hpp"

#include <string>
#include <vector>

namespace LAMMPS_NS {

class FixDMS : public Fix, public WindowClock, public StoreOwner {
 public:
  FixDMS(class LAMMPS *, int, char **);
  ~FixDMS() override;
  int setmask() override;
  void init() override;
  void setup(int) override;
  void post_integrate() override;
  void end_of_step() override;
  double compute_vector(int) override;
  double compute_array(int, int) override;
  void write_restart(FILE *) override;
  void restart(char *) override;
  void post_constructor() override;
  void post_run() override;
  void grow_arrays(int) override;
  double memory_usage() override;

  // The per-atom store is a plain container here: this fix reads and writes it itself.
  void store_deleted() override;

  // WindowClock: analysis windows of glassdyn computes (keyword `sync`) are whole cycles
  // starting at zero strain.
  bool may_start_window(bigint step) const override;
  bigint window_end(bigint window_start) const override;
  bigint next_window_start(bigint step) const override;

  enum Axis { X, Y, Z, YZ, XZ, XY };
  // Output indices, looked up by name in the one declaration of the layouts
  // (src/core/schema/dms.hpp).
  enum GlobalValue {
    STORAGE = glassdyn::schema::dms::vector.index("storage"),
    STORAGE_STD = glassdyn::schema::dms::vector.index("storage_std"),
    LOSS = glassdyn::schema::dms::vector.index("loss"),
    LOSS_STD = glassdyn::schema::dms::vector.index("loss_std"),
    TAN_DELTA = glassdyn::schema::dms::vector.index("tan_delta"),
    TAN_DELTA_STD = glassdyn::schema::dms::vector.index("tan_delta_std"),
    CYCLES_USED = glassdyn::schema::dms::vector.index("n_cycles"),
    HARMONIC2 = glassdyn::schema::dms::vector.index("r2"),
    HARMONIC3 = glassdyn::schema::dms::vector.index("r3"),
    STRAIN = glassdyn::schema::dms::vector.index("strain"),
    STRESS = glassdyn::schema::dms::vector.index("stress"),
    NGLOBAL = glassdyn::schema::dms::vector.size()
  };
  enum CycleColumn {
    CYCLE = glassdyn::schema::dms::array.index("cycle"),
    C_STORAGE = glassdyn::schema::dms::array.index("storage"),
    C_LOSS = glassdyn::schema::dms::array.index("loss"),
    C_TAN_DELTA = glassdyn::schema::dms::array.index("tan_delta"),
    C_HARMONIC2 = glassdyn::schema::dms::array.index("r2"),
    C_HARMONIC3 = glassdyn::schema::dms::array.index("r3"),
    C_OFFSET = glassdyn::schema::dms::array.index("offset"),
    NCYCLECOLUMNS = glassdyn::schema::dms::array.size()
  };

 private:
  void check_fit_options(bool period_read);
  double strain_at(bigint step) const;
  void apply_strain(double strain);
  double sample_stress();
  void finish_cycle();
  void schedule_pressure(bigint step);
  void attach_peratom();
  void sample_peratom(double theta);
  void finish_peratom_cycle(bool counted);
  double atom_volume(int i) const;
  void check_atom_volumes();
  void check_axis_periodic() const;
  void check_timestep_jump();
  void record_box();
  void check_box_unchanged() const;

  int axis;
  double amplitude, period;
  int every, harmonics, discard;
  std::string pressure_id;
  class Compute *pressure;

  bigint steps_per_cycle;
  int started;                    // 1 once the oscillation has begun (stored in restarts)
  bigint step_start;              // zero strain, strain rising
  bigint last_sampled;            // a step is sampled once, also across runs and restarts
  int open_cycle_valid;           // 0 after a jump in the timestep: the open cycle is dropped
  double reference_lo, reference_hi, reference_tilt;    // box at zero strain along the axis
  double current_strain, current_stress;

  // The box this fix left at the end of its last run (or found in the restart file): any
  // other change between runs is refused. Order: boxlo[3], boxhi[3], xy, xz, yz.
  double last_box[9];
  int last_box_known;

  // Per atom (keyword peratom): each atom's fit of its stress x volume, in a migrating store.
  // The first NPERATOMOUTPUTS columns are the per-atom outputs.
  // The outputs are looked up by name in src/core/schema/dms.hpp; the running sums follow them.
  enum PerAtomColumn {
    LAST_STORAGE = glassdyn::schema::dms::peratom.index("storage_last"),
    LAST_LOSS = glassdyn::schema::dms::peratom.index("loss_last"),
    MEAN_STORAGE = glassdyn::schema::dms::peratom.index("storage"),
    MEAN_LOSS = glassdyn::schema::dms::peratom.index("loss"),
    N_USED = glassdyn::schema::dms::peratom.index("n_cycles"),
    STD_STORAGE = glassdyn::schema::dms::peratom.index("storage_std"),
    STD_LOSS = glassdyn::schema::dms::peratom.index("loss_std"),
    NPERATOMOUTPUTS = glassdyn::schema::dms::peratom.size(),
    SUM_STORAGE = NPERATOMOUTPUTS, SUM_LOSS, M2_STORAGE, M2_LOSS, RHS0
  };
  std::string stress_id, volume_id, store_id;
  class Compute *stress, *volume_compute;
  int volume_column;                  // 0: vector, k: column k of an array
  double volume_constant;             // > 0: divide by this volume
  class FixWindowStore *store;
  int destroying;               // 1 while this fix deletes its own store
  int peratom_checked;          // the store's origin (restart or new) has been looked at
  int peratom_cycle_valid;      // 0: the per-atom sums of the open cycle miss its start
  double **orphan_outputs;      // NaN rows read by outputs after the store was deleted by `unfix`
  int orphan_nmax;

  glassdyn::CycleFit fit;
  std::vector<double> rhs;
  std::vector<glassdyn::CycleModuli> cycles;
  glassdyn::ModuliStatistics statistics;
};

}    // namespace LAMMPS_NS

#endif
#endif
