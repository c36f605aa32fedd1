# energy per layer by component for the tiny model (myelin cost --tables)
set terminal svg size 960,480 dynamic
set output 'tiny_energy_per_layer.svg'
set title 'tiny on generic-45nm: energy per layer by component'
set ylabel 'energy (nJ)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.8
set xtics rotate by -60 font ',8'
set key outside right
plot 'tiny_energy_per_layer.dat' using 2:xtic(1) title 'compute', '' using 3 title 'synapse memory', '' using 4 title 'neuron', '' using 5 title 'NoC', '' using 6 title 'leakage'
