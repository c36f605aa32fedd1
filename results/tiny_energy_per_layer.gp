# energy per layer by component for the tiny model (myelin cost --tables)
set encoding utf8
set terminal svg size 960,460 dynamic
set output 'tiny_energy_per_layer.svg'
set ylabel 'energy per inference (µJ)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.8
set xtics rotate by -45 scale 0 font ',9'
set yrange [0:*]
set grid ytics
set key outside top center horizontal title 'tiny on generic-45nm, energy per layer by component'
plot 'tiny_energy_per_layer.dat' using 2:xtic(1) title 'compute', '' using 3 title 'synapse memory', '' using 4 title 'neuron', '' using 5 title 'NoC', '' using 6 title 'leakage'
