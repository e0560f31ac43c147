package bench;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/** Does MVStore.commit() fsync? Run under: strace -f -c -e trace=fsync,fdatasync java ... bench.MvSyncProbe DIR N sync|nosync */
public final class MvSyncProbe {
    public static void main(String[] a) {
        int n = Integer.parseInt(a[1]);
        boolean sync = a[2].equals("sync");
        MVStore s = new MVStore.Builder().fileName(a[0] + "/probe.mv").open();
        MVMap<Integer, String> m = s.openMap("m");
        for (int i = 0; i < n; i++) {
            m.put(i, "v" + i);
            long v = s.commit();
            if (v < 0) System.out.println("commit returned -1 at " + i);
            if (sync) s.sync();
        }
        Runtime.getRuntime().halt(0);  // no close (close would sync)
    }
}
