package mmo.server.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The fuzz properties' number of tries: what {@code @Property(tries = ...)} says (small, for
 * the test run), or {@code -Dmmo.fuzz.tries=N} for a long run on demand. Add it to a fuzz
 * container with {@code @AddLifecycleHook(FuzzTries.class)}.
 */
public final class FuzzTries implements AroundPropertyHook {
    /** The system property of a long run. */
    public static final String PROPERTY = "mmo.fuzz.tries";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String tries = System.getProperty(PROPERTY);
        if (tries != null && !tries.isBlank()) context.attributes().setTries(Integer.parseInt(tries.trim()));
        return property.execute();
    }

    @Override
    public int aroundPropertyProximity() {
        return -100; // outside everything else: the attributes are read when the property starts
    }
}
