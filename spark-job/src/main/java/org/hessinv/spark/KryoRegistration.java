package org.hessinv.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoRegistrator;
import org.hessinv.curvature.StageRecord;
import org.hessinv.linalg.ReproducibleSum;
import org.hessinv.model.Example;
import org.hessinv.model.Network;

/**
 * Lets the job run under {@code spark.serializer=KryoSerializer}: Kryo's field serializer cannot write
 * Java records (no field offsets), so the records the job ships are serialized with Java serialization.
 */
public final class KryoRegistration implements KryoRegistrator {
    @Override public void registerClasses(Kryo kryo) {
        kryo.register(Example.class, new JavaSerializer());
        kryo.register(StageRecord.class, new JavaSerializer());
        kryo.register(LayerBatch.class, new JavaSerializer());
        kryo.register(Network.class, new JavaSerializer());
        kryo.register(org.hessinv.model.Standardization.class, new JavaSerializer());
        kryo.register(ReproducibleSum.class, new JavaSerializer());
        kryo.register(ReproducibleReduction.BlockPartial.class, new JavaSerializer());
    }

    /** Adds this registrator to the conf, keeping any registrators the user configured. */
    public static SparkConf register(SparkConf conf) {
        String existing = conf.get("spark.kryo.registrator", "");
        String mine = KryoRegistration.class.getName();
        if (!existing.contains(mine)) conf.set("spark.kryo.registrator", existing.isEmpty() ? mine : existing + "," + mine);
        return conf;
    }
}
